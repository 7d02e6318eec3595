/**
 * The `/abca/<env>/platform` discovery document: scripts, the CLI and CI find everything from
 * `--env` alone through it.
 */
import { z } from 'zod';
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { NotFoundError, ValidationError } from '../errors';
import { platformNames } from './names';
import { CANARY_ENDPOINT, LIVE_ENDPOINT } from './runtime-spec';

export const PlatformConfigSchema = z.object({
  env: z.string(),
  region: z.string().min(1),
  apiUrl: z.string(),
  userPoolId: z.string().min(1),
  userPoolClientId: z.string().min(1),
  agentRuntimeId: z.string().min(1),
  agentRuntimeArn: z.string().min(1),
  agentRuntimeName: z.string().min(1),
  /** The named AgentCore endpoint tasks invoke (never DEFAULT), and the one publish smokes through. */
  liveEndpoint: z.string().min(1).default(LIVE_ENDPOINT),
  canaryEndpoint: z.string().min(1).default(CANARY_ENDPOINT),
  liveEndpointArn: z.string().default(''),
  canaryEndpointArn: z.string().default(''),
  ecrRepositoryName: z.string().min(1),
  ecrRepositoryUrl: z.string().min(1),
  imagePointerParameter: z.string().startsWith('/abca/'),
  guardrailsParameter: z.string().startsWith('/abca/'),
  secretPrefix: z.string().min(1),
  tables: z.object({
    repos: z.string(),
    tasks: z.string(),
    audit: z.string(),
    apiKeys: z.string(),
    locks: z.string(),
  }),
  /** Route 53 Resolver DNS Firewall list the API maintains; empty where not deployed (local). */
  onboardedDomainListId: z.string().default(''),
});
export type PlatformConfig = z.infer<typeof PlatformConfigSchema>;

export function parsePlatformConfig(raw: string, source: string): PlatformConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ValidationError(`${source} is not valid JSON`, 'PLATFORM_INVALID');
  }
  const parsed = PlatformConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${source} is missing or has a bad "${issue?.path.join('.')}": ${issue?.message}`, 'PLATFORM_INVALID');
  }
  return parsed.data;
}

export async function loadPlatformConfig(ssm: SSMClient, env: string): Promise<PlatformConfig> {
  const name = platformNames(env).parameters.platform;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return parsePlatformConfig(out.Parameter?.Value ?? '', name);
  } catch (e) {
    if (e instanceof ParameterNotFound || (e as { name?: string }).name === 'ParameterNotFound') {
      throw new NotFoundError(
        `environment "${env}" not found: no ${name} parameter in this account/region (deploy infra, or run scripts/bootstrap-local.ts locally)`,
        'UNKNOWN_ENV',
      );
    }
    throw e;
  }
}
