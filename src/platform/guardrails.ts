/**
 * `/abca/<env>/guardrails`: limits a workshop host can tighten without a deploy.
 * cdktf writes DEFAULT_GUARDRAILS once and ignores later changes to the value.
 */
import { z } from 'zod';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** AWS-hosted names: the platform reaches its AWS endpoints through the baseline list only. */
export const DEFAULT_REFUSED_SUFFIXES: readonly string[] = ['amazonaws.com', 'amazonaws.com.cn', 'on.aws', 'api.aws', 'cloudfront.net'];

/** A domain suffix as the egress policy names it: "example.com" (a leading "*." means the same). */
const Suffix = z
  .string()
  .min(1)
  .max(253)
  .transform((s) => s.trim().toLowerCase().replace(/\.$/, '').replace(/^\*\./, ''))
  .refine((s) => /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(s), { message: 'must be a domain suffix such as "example.com"' });

/** What repositories may add to the VPC-wide egress allowlist (src/repos/egress-policy.ts). */
export const EgressGuardrailsSchema = z
  .object({
    /** Empty: any domain that passes the public-suffix check and is not refused. */
    allowed_suffixes: z.array(Suffix).max(500).default([]),
    refused_suffixes: z
      .array(Suffix)
      .max(500)
      .default([...DEFAULT_REFUSED_SUFFIXES]),
  })
  .strict();

export const GuardrailsSchema = z.object({
  /** GitHub orgs (owners) allowed to onboard; empty = any. */
  allowed_orgs: z.array(z.string().min(1)).default([]),
  /** Maximum number of repositories that are not removed. */
  max_repos: z.number().int().min(0).max(100000).default(50),
  /** Bedrock model ids a RepoConfig may name. */
  allowed_models: z.array(z.string().min(1)).min(1),
  /** Egress allowlist limits, applied on onboarding and PATCH; absent = the defaults. */
  egress: EgressGuardrailsSchema.default({ allowed_suffixes: [], refused_suffixes: [...DEFAULT_REFUSED_SUFFIXES] }),
});
export type Guardrails = z.infer<typeof GuardrailsSchema>;

export const DEFAULT_GUARDRAILS: Guardrails = {
  allowed_orgs: [],
  max_repos: 50,
  allowed_models: ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us.anthropic.claude-opus-4-1-20250805-v1:0', 'us.anthropic.claude-haiku-4-5-20251001-v1:0'],
  egress: { allowed_suffixes: [], refused_suffixes: [...DEFAULT_REFUSED_SUFFIXES] },
};

/** Reads the parameter, caching it briefly so the API does not hit SSM on every request. */
export class GuardrailsSource {
  private cached?: { value: Guardrails; at: number };
  constructor(
    private readonly ssm: SSMClient,
    private readonly parameterName: string,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<Guardrails> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.value;
    const out = await this.ssm.send(new GetParameterCommand({ Name: this.parameterName }));
    const value = GuardrailsSchema.parse(JSON.parse(out.Parameter?.Value ?? '{}'));
    this.cached = { value, at: this.now() };
    return value;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
