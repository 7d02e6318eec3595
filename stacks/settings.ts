/**
 * Everything the infra stack takes from outside, in one place. Every key can be given, highest
 * precedence first, as:
 *   1. `--context key=value` on the app (`tsx stacks/main.ts --context env=qa`);
 *   2. CDKTF_CONTEXT_JSON (what the cdktf CLI passes through to the app);
 *   3. the "context" key of cdktf.json (read by the app itself, so it applies to direct runs too);
 *   4. its ABCA_* variable (CONTEXT_VARIABLES below);
 *   5. the default.
 * Bad values and unknown keys fail the synth with one clear message.
 *
 * cdktf-cli 0.21 replaces CDKTF_CONTEXT_JSON with cdktf.json's "context" whenever that key exists,
 * even when it is empty: that is why the checked-in cdktf.json has none (test/infra/cli-context.test.ts).
 */
import * as fs from 'node:fs';
import type { Construct } from 'constructs';
import { ValidationError } from '../src/errors';
import { assertEnvName } from '../src/platform/names';
import { isImageDigest } from '../src/platform/runtime-spec';

export interface InfraSettings {
  env: string;
  /** AWS region; empty = what the provider finds (AWS_REGION, profile). */
  region: string;
  /** First value of the image pointer (only used when the pointer is created). */
  initialImageDigest?: string;
  /** owner/repo whose GitHub Actions may assume the CI roles. */
  githubRepository: string;
  githubRepositoryConfigured: boolean;
  /** Existing GitHub OIDC provider (one per account); empty = the stack creates it. */
  githubOidcProviderArn?: string;
  /** S3 bucket holding Terraform state; empty = local state (first deploy, experiments). */
  stateBucket?: string;
  vpcCidr: string;
  /** DynamoDB tables and the user pool refuse deletion (turn off before `cdktf destroy`). */
  deletionProtection: boolean;
  /** Manage the account-wide API Gateway CloudWatch role (one environment per account should). */
  manageApiGatewayAccount: boolean;
  /** Refuse to synthesize without stateBucket (CI sets it: never plan or apply from an empty local state). */
  requireRemoteState: boolean;
  /**
   * Raw values the constructs that use them parse and validate (network.ts, promotion-policy.ts);
   * declared here so every entry point accepts them and each has its variable.
   */
  agentCoreAzIds?: unknown;
  runtimeInternetEgress?: unknown;
  promoteFrom?: unknown;
  /**
   * Roles in other accounts the publisher assumes to read a promotion source there
   * (`runtime promote --source-role-arn`); each must trust this environment's publisher.
   */
  promotionSourceRoleArns: string[];
}

/** The ABCA_* variable of every context key: each key can be set from the shell or CI alone. */
export const CONTEXT_VARIABLES = {
  env: 'ABCA_ENV',
  region: 'ABCA_REGION',
  initialImageDigest: 'ABCA_INITIAL_IMAGE_DIGEST',
  githubRepository: 'ABCA_GITHUB_REPOSITORY',
  githubOidcProviderArn: 'ABCA_GITHUB_OIDC_PROVIDER_ARN',
  stateBucket: 'ABCA_STATE_BUCKET',
  vpcCidr: 'ABCA_VPC_CIDR',
  deletionProtection: 'ABCA_DELETION_PROTECTION',
  manageApiGatewayAccount: 'ABCA_MANAGE_API_GATEWAY_ACCOUNT',
  requireRemoteState: 'ABCA_REQUIRE_REMOTE_STATE',
  agentCoreAzIds: 'ABCA_AGENTCORE_AZ_IDS',
  runtimeInternetEgress: 'ABCA_RUNTIME_INTERNET_EGRESS',
  promoteFrom: 'ABCA_PROMOTE_FROM',
  promotionSourceRoleArns: 'ABCA_PROMOTION_SOURCE_ROLE_ARNS',
} as const;
export type ContextKey = keyof typeof CONTEXT_VARIABLES;
export const CONTEXT_KEYS = Object.keys(CONTEXT_VARIABLES) as ContextKey[];

/**
 * Refuses keys the stack does not read (a typo would otherwise be ignored silently). cdktf's own
 * keys (cdktfVersion, cdktfRelativeModules, …) pass.
 */
export function checkContextKeys(context: Record<string, unknown>, source: string): void {
  const unknown = Object.keys(context).filter((k) => !(CONTEXT_KEYS as string[]).includes(k) && !k.startsWith('cdktf') && !k.startsWith('@cdktf/'));
  if (unknown.length) {
    throw new ValidationError(
      `${source}: unknown context key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${CONTEXT_KEYS.join(', ')})`,
      'UNKNOWN_CONTEXT_KEY',
    );
  }
}

/** CDKTF_CONTEXT_JSON as an object (empty when unset); bad JSON is a clear error, not a stack trace. */
export function contextFromEnvironment(raw: string | undefined = process.env.CDKTF_CONTEXT_JSON): Record<string, unknown> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError('CDKTF_CONTEXT_JSON is not valid JSON', 'INVALID_CONTEXT');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ValidationError('CDKTF_CONTEXT_JSON must be a JSON object', 'INVALID_CONTEXT');
  return parsed as Record<string, unknown>;
}

/** The "context" object of a cdktf.json file (empty when the file or the key is absent). */
export function contextFromConfigFile(file: string): Record<string, unknown> {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  let config: unknown;
  try {
    config = JSON.parse(raw);
  } catch {
    throw new ValidationError(`${file} is not valid JSON`, 'INVALID_CONTEXT');
  }
  const context = (config as { context?: unknown }).context;
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context)) throw new ValidationError(`${file}: "context" must be an object`, 'INVALID_CONTEXT');
  return context as Record<string, unknown>;
}

/** A placeholder no GitHub token can ever carry (owner names cannot contain "--"). */
export const UNCONFIGURED_REPOSITORY = 'unconfigured--owner/set-githubRepository';
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
const CIDR16 = /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/;

type Source = (key: string) => unknown;

/** Reads `--context key=value` / `-c key=value` pairs (cdktf's CLI passes context through CDKTF_CONTEXT_JSON instead). */
export function contextFromArgv(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const inline = /^--context=(.*)$/.exec(a);
    const pair = inline ? inline[1] : a === '--context' || a === '-c' ? argv[++i] : undefined;
    if (pair === undefined) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ValidationError(`--context takes key=value, got "${pair}"`, 'INVALID_CONTEXT');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function str(source: Source, key: ContextKey, envVar: string = CONTEXT_VARIABLES[key]): string | undefined {
  const v = source(key) ?? (envVar ? process.env[envVar] : undefined);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new ValidationError(`context "${key}" must be a string`, 'INVALID_CONTEXT');
  }
  return String(v);
}

function bool(source: Source, key: ContextKey, fallback: boolean): boolean {
  const v = str(source, key, CONTEXT_VARIABLES[key]);
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError(`context "${key}" must be true or false, got "${v}"`, 'INVALID_CONTEXT');
}

export function readSettings(scope: Construct): InfraSettings {
  const source: Source = (key) => scope.node.tryGetContext(key);
  const env = assertEnvName(str(source, 'env') ?? 'dev');

  const initialImageDigest = str(source, 'initialImageDigest');
  if (initialImageDigest !== undefined && !isImageDigest(initialImageDigest)) {
    throw new ValidationError(`initialImageDigest must look like sha256:<64 hex>, got "${initialImageDigest}"`, 'INVALID_CONTEXT');
  }

  // In GitHub Actions GITHUB_REPOSITORY is the repository running the deploy: the one to trust.
  const repoSetting = str(source, 'githubRepository') ?? process.env.GITHUB_REPOSITORY;
  if (repoSetting !== undefined && !REPOSITORY.test(repoSetting)) {
    throw new ValidationError(`githubRepository must be "owner/repo", got "${repoSetting}"`, 'INVALID_CONTEXT');
  }

  const githubOidcProviderArn = str(source, 'githubOidcProviderArn');
  if (
    githubOidcProviderArn !== undefined &&
    !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(githubOidcProviderArn)
  ) {
    throw new ValidationError(
      `githubOidcProviderArn must be the ARN of the token.actions.githubusercontent.com provider, got "${githubOidcProviderArn}"`,
      'INVALID_CONTEXT',
    );
  }

  const vpcCidr = str(source, 'vpcCidr') ?? '10.40.0.0/16';
  const m = CIDR16.exec(vpcCidr);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) {
    throw new ValidationError(`vpcCidr must be a /16 such as 10.40.0.0/16, got "${vpcCidr}"`, 'INVALID_CONTEXT');
  }

  // Only an explicit setting: otherwise the provider and backend read AWS_REGION themselves, and the
  // synthesized JSON does not depend on the machine that ran the synth.
  const region = str(source, 'region') ?? '';
  if (region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new ValidationError(`region must be an AWS region such as us-east-1, got "${region}"`, 'INVALID_CONTEXT');
  }

  const stateBucket = str(source, 'stateBucket');
  if (stateBucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(stateBucket)) {
    throw new ValidationError(`stateBucket must be an S3 bucket name, got "${stateBucket}"`, 'INVALID_CONTEXT');
  }

  const requireRemoteState = bool(source, 'requireRemoteState', false);
  if (requireRemoteState && stateBucket === undefined) {
    throw new ValidationError(
      'no remote state: requireRemoteState is set but stateBucket is not (set the ABCA_STATE_BUCKET variable; a plan from an empty local state would create a second copy of the environment)',
      'REMOTE_STATE_REQUIRED',
    );
  }

  const promotionSourceRoleArns = roleArnList(source, 'promotionSourceRoleArns');

  return {
    env,
    region,
    initialImageDigest,
    githubRepository: repoSetting ?? UNCONFIGURED_REPOSITORY,
    githubRepositoryConfigured: repoSetting !== undefined,
    githubOidcProviderArn,
    stateBucket,
    vpcCidr,
    deletionProtection: bool(source, 'deletionProtection', true),
    manageApiGatewayAccount: bool(source, 'manageApiGatewayAccount', true),
    requireRemoteState,
    agentCoreAzIds: source('agentCoreAzIds') ?? process.env.ABCA_AGENTCORE_AZ_IDS,
    runtimeInternetEgress: source('runtimeInternetEgress') ?? process.env.ABCA_RUNTIME_INTERNET_EGRESS,
    promoteFrom: source('promoteFrom') ?? process.env.ABCA_PROMOTE_FROM,
    promotionSourceRoleArns,
  };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** A comma-separated list (or a JSON list from cdktf.json) of IAM role ARNs, each checked. */
function roleArnList(source: Source, key: ContextKey): string[] {
  const raw = source(key) ?? process.env[CONTEXT_VARIABLES[key]];
  if (raw === undefined || raw === null || raw === '') return [];
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!items) throw new ValidationError(`context "${key}" must be a comma-separated list of IAM role ARNs`, 'INVALID_CONTEXT');
  const arns = items.map((a) => String(a).trim()).filter(Boolean);
  const bad = arns.filter((a) => !ROLE_ARN.test(a));
  if (bad.length) throw new ValidationError(`context "${key}": not an IAM role ARN: ${bad.map((a) => `"${a.slice(0, 100)}"`).join(', ')}`, 'INVALID_CONTEXT');
  return [...new Set(arns)];
}
