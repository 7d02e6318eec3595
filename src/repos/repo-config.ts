/**
 * RepoConfig: one schema for the API, the Blueprint construct and the CLI.
 * Field names are snake_case, as ABCA stores them.
 */
import { ERROR_CODES, isErrorCode, type CodeOf } from '../error-codes';
import { z } from 'zod';
import { checkCedarPolicy } from './cedar';
import { egressEntryProblems, publicSuffixProblem, type EgressPolicy } from './egress-policy';
import { CLEARABLE_FIELDS, REPO_DEFAULTS, REPO_STATUSES } from './fields';
import { canonicalRepoId, clip, repoIdProblem } from './repo-id';

export { canonicalRepoId, clip, repoIdProblem } from './repo-id';
export { REPO_STATUSES, type RepoStatus } from './fields';

export const RepoIdSchema = z
  .string()
  .max(140)
  .superRefine((repo, ctx) => {
    const problem = repoIdProblem(repo);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** DNS names, optionally with one leading wildcard label ("*.example.com"), as DNS Firewall takes them. */
const DOMAIN = /^(\*\.)?(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.[a-z]{2,63}$/;
export const DomainSchema = z
  .string()
  .max(253)
  .transform((d) => d.toLowerCase().replace(/\.$/, ''))
  .refine((d) => DOMAIN.test(d), { message: 'must be a domain name such as "api.github.com" or "*.pypi.org"' })
  // The onboarded list is VPC-wide: a wildcard over a public suffix would open it for every agent.
  .superRefine((d, ctx) => {
    const problem = DOMAIN.test(d) ? publicSuffixProblem(d) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Shell commands run by the agent: printable text only, no control characters. */
const Command = z
  .string()
  .min(1)
  .max(1024)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'must not contain control characters' });

/** Free text for the model: line breaks and tabs are fine, other control characters are not. */
const PromptText = z
  .string()
  .max(16_000)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), { message: 'must not contain control characters other than tab and line breaks' });

/** Error code of a Cedar policy the engine cannot (or must not) check: 422, unlike a parse error (400). */
export const CEDAR_UNPROCESSABLE = 'CEDAR_POLICY_UNPROCESSABLE' satisfies CodeOf<'ValidationError'>;

export const CedarPoliciesSchema = z
  .array(z.string().min(1).max(10_000))
  .max(20)
  .superRefine((policies, ctx) => {
    policies.forEach((text, i) => {
      const check = checkCedarPolicy(text);
      if (check.ok) return;
      // Refused before the engine, or the engine failed on it: 422 for this request (parseBody).
      const params = check.unprocessable ? { code: CEDAR_UNPROCESSABLE } : undefined;
      ctx.addIssue({ code: 'custom', path: [i], message: `invalid Cedar policy: ${check.errors[0]}`, ...(params ? { params } : {}) });
    });
  });

export const COMPUTE_TYPES = ['agentcore'] as const;

/** Fields an operator may set (POST body minus `repo`, and every PATCH field). */
export const RepoSettingsShape = {
  compute_type: z.enum(COMPUTE_TYPES),
  runtime_arn: z.string().regex(/^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:runtime\/[A-Za-z0-9_-]+$/, 'must be an AgentCore runtime ARN'),
  model_id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9.:_-]+$/, 'must be a Bedrock model id'),
  max_turns: z.number().int().min(1).max(500),
  max_budget_usd: z.number().min(0.01).max(100),
  system_prompt_overrides: PromptText,
  github_token_secret_arn: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a Secrets Manager secret ARN'),
  poll_interval_ms: z.number().int().min(1_000).max(3_600_000),
  build_command: Command,
  lint_command: Command,
  egress_allowlist: z.array(DomainSchema).max(50),
  cedar_policies: CedarPoliciesSchema,
  approval_gate_cap: z.number().int().min(1).max(500),
};

export const RepoSettingsSchema = z.object(RepoSettingsShape).partial().strict();
export type RepoSettings = z.infer<typeof RepoSettingsSchema>;

/** POST /v1/repos body and Blueprint props: `repo` plus any settings; unknown fields rejected. */
export const RepoConfigInputSchema = z
  .object({ repo: RepoIdSchema, ...RepoSettingsShape })
  .partial()
  .required({ repo: true })
  .strict();
export type RepoConfigInput = z.infer<typeof RepoConfigInputSchema>;

export { CLEARABLE_FIELDS } from './fields';
type Clearable = (typeof CLEARABLE_FIELDS)[number];

const PatchShape = Object.fromEntries(
  Object.entries(RepoSettingsShape).map(([field, schema]) => [field, (CLEARABLE_FIELDS as readonly string[]).includes(field) ? schema.nullable() : schema]),
) as { [K in keyof typeof RepoSettingsShape]: K extends Clearable ? z.ZodNullable<(typeof RepoSettingsShape)[K]> : (typeof RepoSettingsShape)[K] };

/** PATCH body: settings only, at least one; `null` clears an optional setting. */
export const RepoConfigPatchSchema = z
  .object(PatchShape)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to update' });
export type RepoConfigPatch = z.infer<typeof RepoConfigPatchSchema>;

// Declared with the fields, so code without the Cedar engine (the CLI bundle) can use them.
export { REPO_DEFAULTS };

/** A stored row. */
export const RepoConfigSchema = z
  .object({
    repo: RepoIdSchema,
    ...RepoSettingsShape,
    status: z.enum(REPO_STATUSES),
    status_reason: z.string().optional(),
    onboarded_at: z.string(),
    updated_at: z.string(),
    source: z.enum(['iac', 'api']),
    version: z.number().int().min(1),
    expires_at: z.number().int().optional(),
  })
  .partial({
    runtime_arn: true,
    model_id: true,
    system_prompt_overrides: true,
    github_token_secret_arn: true,
    build_command: true,
    lint_command: true,
  });
export type RepoConfig = z.infer<typeof RepoConfigSchema>;

/** A row as the API returns it: the stored row without its TTL bookkeeping. */
export const RepoConfigViewSchema = RepoConfigSchema.omit({ expires_at: true });
export type RepoConfigView = z.infer<typeof RepoConfigViewSchema>;

/** `abca/<env>/github-token/<owner>/<repo>`: one secret per repository, under the platform prefix. */
export function tokenSecretName(secretPrefix: string, repo: string): string {
  return `${secretPrefix}github-token/${repo}`;
}

/**
 * Whether an ARN is the repository's own token secret: the name `tokenSecretName` gives, then the
 * "-" and 6 random characters Secrets Manager appends to every secret ARN.
 */
export function isOwnTokenSecretArn(arn: string, secretArnPrefix: string, repo: string): boolean {
  const base = `${secretArnPrefix}${tokenSecretName('', canonicalRepoId(repo))}`;
  return arn.startsWith(base) && /^-[A-Za-z0-9]{6}$/.test(arn.slice(base.length));
}

/** Platform-dependent checks that a static schema cannot make (guardrails, secret prefix). */
export interface RepoPolicyContext {
  allowedOrgs: string[];
  allowedModels: string[];
  /** The guardrails' egress policy (absent: no limit beyond the schema's public-suffix check). */
  egress?: EgressPolicy;
  /** ARN prefix every token secret must start with, e.g. arn:aws:secretsmanager:us-east-1:123:secret:abca/dev/ */
  secretArnPrefix: string;
  /**
   * Accept only the repository's own token secret (`tokenSecretName`, plus the suffix Secrets
   * Manager adds), so one repository cannot name another's token. The API sets it.
   */
  ownTokenSecretOnly?: boolean;
  /** When set, runtime_arn must start with it (the platform's account and region). */
  runtimeArnPrefix?: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The members of a repository's config that the guardrails and the platform's prefixes judge. */
export interface RepoPolicyInput {
  repo?: string;
  model_id?: string | null;
  github_token_secret_arn?: string | null;
  egress_allowlist?: readonly string[];
  runtime_arn?: string | null;
}

export function repoPolicyProblems(input: RepoPolicyInput, ctx: RepoPolicyContext): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.repo && ctx.allowedOrgs.length) {
    const owner = input.repo.split('/')[0]!.toLowerCase();
    if (!ctx.allowedOrgs.some((o) => o.toLowerCase() === owner)) {
      problems.push({ field: 'repo', message: `owner "${owner}" is not in the allowed organizations (${ctx.allowedOrgs.join(', ')})` });
    }
  }
  if (input.model_id != null && !ctx.allowedModels.includes(input.model_id)) {
    problems.push({ field: 'model_id', message: `model "${clip(input.model_id, 200)}" is not allowed; allowed: ${ctx.allowedModels.join(', ')}` });
  }
  if (input.github_token_secret_arn != null && !input.github_token_secret_arn.startsWith(ctx.secretArnPrefix)) {
    problems.push({ field: 'github_token_secret_arn', message: `secret must be under the platform prefix ${ctx.secretArnPrefix}` });
  } else if (
    ctx.ownTokenSecretOnly &&
    input.repo &&
    input.github_token_secret_arn != null &&
    !isOwnTokenSecretArn(input.github_token_secret_arn, ctx.secretArnPrefix, input.repo)
  ) {
    const own = `${ctx.secretArnPrefix}${tokenSecretName('', canonicalRepoId(input.repo))}`;
    problems.push({
      field: 'github_token_secret_arn',
      message: `secret must be this repository's own token secret, ${own}-XXXXXX (PUT /v1/repos/{owner}/{repo}/github-token creates it)`,
    });
  }
  if (ctx.runtimeArnPrefix && input.runtime_arn != null && !input.runtime_arn.startsWith(ctx.runtimeArnPrefix)) {
    problems.push({ field: 'runtime_arn', message: `runtime must be an AgentCore runtime of the platform's account and region (${ctx.runtimeArnPrefix}…)` });
  }
  if (ctx.egress) {
    const egress = ctx.egress;
    (input.egress_allowlist ?? []).forEach((entry, i) => {
      for (const message of egressEntryProblems(entry, egress)) problems.push({ field: `egress_allowlist.${i}`, message });
    });
  }
  return problems;
}

/** Flattens zod issues into `field: message` problems for error bodies. */
/** The error code an issue asks for (a custom issue's `params.code`), if any. */
export function zodIssueCode(error: z.ZodError): CodeOf<'ValidationError'> | undefined {
  for (const i of error.issues) {
    const code = i.code === 'custom' ? (i.params as { code?: unknown } | undefined)?.code : undefined;
    // Only a declared ValidationError code: the catalogue fixes its HTTP status (400 or 422).
    if (isErrorCode(code) && ERROR_CODES[code].class === 'ValidationError') return code as CodeOf<'ValidationError'>;
  }
  return undefined;
}

export function zodProblems(error: z.ZodError): FieldProblem[] {
  // At most 20 problems, each field and message bounded: the input may be hostile and large.
  return error.issues.slice(0, 20).map((i) => {
    const field = clip(i.path.map(String).join('.'), 100) || '(body)';
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.slice(0, 10).map((k) => clip(k));
      return { field, message: `unknown field(s): ${keys.join(', ')}${i.keys.length > 10 ? `, and ${i.keys.length - 10} more` : ''}` };
    }
    return { field, message: clip(i.message, 300) };
  });
}

// The defaults are settings a row may carry (checked here: fields.ts cannot import this schema).
REPO_DEFAULTS satisfies Partial<RepoSettings>;
