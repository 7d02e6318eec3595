/**
 * Everything the infra stack takes from outside, in one place: cdktf context (CDKTF_CONTEXT_JSON,
 * cdktf.json "context", or `--context key=value` when the app runs directly), then ABCA_* variables,
 * then defaults. Bad values fail the synth with one clear message.
 */
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

function str(source: Source, key: string, envVar?: string): string | undefined {
  const v = source(key) ?? (envVar ? process.env[envVar] : undefined);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new ValidationError(`context "${key}" must be a string`, 'INVALID_CONTEXT');
  }
  return String(v);
}

function bool(source: Source, key: string, fallback: boolean): boolean {
  const v = str(source, key);
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError(`context "${key}" must be true or false, got "${v}"`, 'INVALID_CONTEXT');
}

export function readSettings(scope: Construct): InfraSettings {
  const source: Source = (key) => scope.node.tryGetContext(key);
  const env = assertEnvName(str(source, 'env', 'ABCA_ENV') ?? 'dev');

  const initialImageDigest = str(source, 'initialImageDigest', 'ABCA_INITIAL_IMAGE_DIGEST');
  if (initialImageDigest !== undefined && !isImageDigest(initialImageDigest)) {
    throw new ValidationError(`initialImageDigest must look like sha256:<64 hex>, got "${initialImageDigest}"`, 'INVALID_CONTEXT');
  }

  // In GitHub Actions GITHUB_REPOSITORY is the repository running the deploy: the one to trust.
  const repoSetting = str(source, 'githubRepository', 'ABCA_GITHUB_REPOSITORY') ?? process.env.GITHUB_REPOSITORY;
  if (repoSetting !== undefined && !REPOSITORY.test(repoSetting)) {
    throw new ValidationError(`githubRepository must be "owner/repo", got "${repoSetting}"`, 'INVALID_CONTEXT');
  }

  const githubOidcProviderArn = str(source, 'githubOidcProviderArn');
  if (githubOidcProviderArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(githubOidcProviderArn)) {
    throw new ValidationError(`githubOidcProviderArn must be the ARN of the token.actions.githubusercontent.com provider, got "${githubOidcProviderArn}"`, 'INVALID_CONTEXT');
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

  const stateBucket = str(source, 'stateBucket', 'ABCA_STATE_BUCKET');
  if (stateBucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(stateBucket)) {
    throw new ValidationError(`stateBucket must be an S3 bucket name, got "${stateBucket}"`, 'INVALID_CONTEXT');
  }

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
  };
}
