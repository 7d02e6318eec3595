/** What deploy-first and teardown share at their edge: account, commit, clients, output. */
import { execFileSync } from 'node:child_process';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ecrClient, s3Client, ssmClient, stsClient } from '../aws/clients';
import { emit } from './emit';
import { exitCodeOf, OperationFailedError, ValidationError } from '../errors';
import type { ApplyDeps, ApplyReport } from '../deploy/apply';
import { ImageRepository, PointerParameter } from '../deploy/image';
import { formatResults, type Plan } from '../deploy/plan';
import { StateBucket } from '../deploy/state-bucket';

export function regionFrom(flag: string | undefined): string {
  const region = flag ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new ValidationError('no region: pass --region or set AWS_REGION', 'VALIDATION_ERROR');
  return region;
}

export async function accountId(region: string): Promise<string> {
  try {
    const out = await stsClient({ region }).send(new GetCallerIdentityCommand({}));
    return out.Account!;
  } catch (e) {
    throw new OperationFailedError(`cannot read the AWS account (credentials?): ${(e as Error).message}`, 'NO_CREDENTIALS', undefined, { cause: e });
  }
}

export function gitCommit(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new ValidationError('not a git checkout: the first image is tagged with the commit (run from a clone)', 'VALIDATION_ERROR');
  }
}

/** true when gh is installed and signed in. */
export function ghReady(): boolean {
  try {
    execFileSync('gh', ['auth', 'status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The AWS side of a plan's apply: one class per service, over the shared client factories.
 * `accountId` owns the state bucket: every call to it says so (ExpectedBucketOwner).
 */
export function awsDeps(region: string | undefined, accountId: string): Pick<ApplyDeps, 'stateBucket' | 'images' | 'pointer'> {
  const opts = { region };
  return {
    stateBucket: new StateBucket(s3Client(opts), accountId, { partition: partitionOf(region), tlsOnly: !plainHttpS3(process.env) }),
    images: new ImageRepository(ecrClient(opts)),
    pointer: new PointerParameter(ssmClient(opts)),
  };
}

/** Pure: whether the standard environment points S3 at a plain-HTTP endpoint (a local emulator; AWS is always HTTPS). */
export function plainHttpS3(env: NodeJS.ProcessEnv): boolean {
  return (env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? '').startsWith('http://');
}

/** The partition of a region (bucket ARNs in the TLS-only policy). */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function printPlan(json: boolean, plan: Plan, text: string): void {
  emit(json, { ok: true, dryRun: true, plan }, text);
}

/** Prints the results (and the error) as one document; returns the exit code. */
export function printReport(json: boolean, plan: Plan, report: ApplyReport, extraText = ''): number {
  const { failure, ...data } = report;
  const text = [`${plan.operation} of "${plan.env}": ${report.ok ? 'ok' : 'FAILED'}`, formatResults(report.results), extraText].filter(Boolean).join('\n\n');
  emit(json, { ...data, plan }, text, `### ${plan.operation} of \`${plan.env}\`\n\n\`\`\`\n${formatResults(report.results)}\n\`\`\``);
  if (report.ok) return 0;
  process.stderr.write(`error: ${report.error?.code}: ${report.error?.message}\n`);
  return exitCodeOf(failure);
}
