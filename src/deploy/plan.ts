/**
 * The first deploy (and the teardown) as a plan: a list of typed steps computed before anything
 * runs. `--dry-run` prints it; apply runs exactly it. Every step observes before it acts, so a
 * second run changes nothing and a half-finished run resumes where it stopped.
 */
import { renderCommand, type Command } from './command';
import { githubCommands, userIdCommand, type GithubSetup } from './github';

/** Stands for the digest the image step finds or pushes, in the commands that come after it. */
export const IMAGE_DIGEST_PLACEHOLDER = '<digest from step image>';

export interface StateBucketStep {
  kind: 'state-bucket';
  id: string;
  title: string;
  bucket: string;
  region: string;
}

/** State an earlier deploy kept in a local file (the old guide): moved into the bucket once. */
export interface LocalStateStep {
  kind: 'local-state';
  id: string;
  title: string;
  file: string;
  stateBucket: string;
  stateKey: string;
}

/** Runs every time: local and changes nothing in AWS (synth, init). */
export interface CommandStep {
  kind: 'command';
  id: string;
  title: string;
  command: Command;
}

/** terraform apply, skipped when the remote state already holds every resource it would create. */
export interface TerraformApplyStep {
  kind: 'terraform-apply';
  id: string;
  title: string;
  command: Command;
  /** Folder of the synthesized stack (cdk.tf.json), read to know which resources must be in state. */
  stackDir: string;
  stateBucket: string;
  stateKey: string;
  /** Resource addresses this apply is for; empty = every resource of the stack. */
  targets: string[];
}

export interface ImageStep {
  kind: 'image';
  id: string;
  title: string;
  repositoryName: string;
  repositoryUrl: string;
  pointerParameter: string;
  tag: string;
  /** --image-digest: an image already pushed (checked in ECR, never built). */
  givenDigest?: string;
  /** Run only when neither the pointer, nor the given digest, nor the tag finds an image. */
  build: { login: Command; build: Command; metadataFile: string };
}

export interface RuntimeStatusStep {
  kind: 'runtime-status';
  id: string;
  title: string;
  command: Command;
  timeoutSeconds: number;
  intervalSeconds: number;
}

export interface GithubStep {
  kind: 'github';
  id: string;
  title: string;
  setup: GithubSetup;
  /** --apply-github: the gh commands that set it (each observed first where GitHub can say). */
  apply: boolean;
}

export interface EmptyRepositoryStep {
  kind: 'empty-repository';
  id: string;
  title: string;
  repositoryName: string;
}

/** Teardown: deletion protection off on the protected resources only (targeted apply). */
export interface UnprotectStep {
  kind: 'unprotect';
  id: string;
  title: string;
  stackDir: string;
  stateBucket: string;
  stateKey: string;
  /** Resource types whose every instance in cdk.tf.json is targeted. */
  types: string[];
  /** The apply without its -target flags (added from cdk.tf.json when the step runs). */
  command: Command;
}

export interface TerraformDestroyStep {
  kind: 'terraform-destroy';
  id: string;
  title: string;
  command: Command;
  stateBucket: string;
  stateKey: string;
}

export type Step =
  | StateBucketStep
  | LocalStateStep
  | CommandStep
  | TerraformApplyStep
  | ImageStep
  | RuntimeStatusStep
  | GithubStep
  | EmptyRepositoryStep
  | UnprotectStep
  | TerraformDestroyStep;

export interface Plan {
  operation: 'deploy-first' | 'teardown';
  env: string;
  region: string;
  accountId: string;
  stateBucket: string;
  stateKey: string;
  steps: Step[];
}

export type StepOutcome = 'done' | 'skipped' | 'failed' | 'not-run';

export interface StepResult {
  id: string;
  outcome: StepOutcome;
  detail: string;
}

/** The commands a step may run, in order (what --dry-run shows and the tests compare). */
export function stepCommands(step: Step): Command[] {
  switch (step.kind) {
    case 'command':
    case 'terraform-apply':
    case 'runtime-status':
    case 'terraform-destroy':
      return [step.command];
    case 'unprotect':
      return [{ ...step.command, argv: [...step.command.argv, `-target=<each ${step.types.join(', ')} in ${step.stackDir}/cdk.tf.json>`] }];
    case 'image':
      return step.givenDigest ? [] : [step.build.login, step.build.build];
    case 'github': {
      if (!step.apply) return [];
      const cmds = githubCommands(step.setup);
      const logins = [...new Set(step.setup.environments.flatMap((e) => e.reviewers))];
      // Branch policies are listed per environment, and only the missing ones added.
      return [
        ...logins.map(userIdCommand),
        ...cmds.put.filter((c) => c.argv[1] === 'api'),
        ...step.setup.environments.map((e) => cmds.listBranchPolicies(e.name)),
        ...cmds.put.filter((c) => c.argv[1] !== 'api'),
      ];
    }
    default:
      return [];
  }
}

function stepDetail(step: Step): string[] {
  switch (step.kind) {
    case 'state-bucket':
      return [`bucket ${step.bucket} in ${step.region}: create if missing; versioning, SSE (AES256), public access blocked`];
    case 'terraform-apply':
      return [
        step.targets.length
          ? `skipped when s3://${step.stateBucket}/${step.stateKey} already holds ${step.targets.join(', ')}`
          : `skipped when s3://${step.stateBucket}/${step.stateKey} already holds every resource of ${step.stackDir}/cdk.tf.json`,
      ];
    case 'image':
      return step.givenDigest
        ? [`use ${step.givenDigest} (must be in ${step.repositoryName}; never built)`]
        : [`use the pointer ${step.pointerParameter} if the environment has one, else the image tagged ${step.tag}, else build and push it:`];
    case 'runtime-status':
      return [`until exit 0 (pointer == live runtime, READY), every ${step.intervalSeconds}s, at most ${step.timeoutSeconds}s`];
    case 'github':
      return [step.apply ? `set with gh (${step.setup.repository}):` : `print what to set in ${step.setup.repository}`];
    case 'local-state':
      return [`if ${step.file} holds resources and s3://${step.stateBucket}/${step.stateKey} does not exist: upload it (else skipped)`];
    case 'unprotect':
      return [`skipped when the state shows deletion protection off on every ${step.types.join(' and ')} (or holds none)`];
    case 'terraform-destroy':
      return [`skipped when s3://${step.stateBucket}/${step.stateKey} holds no resources`];
    case 'empty-repository':
      return [`delete every image in ECR repository ${step.repositoryName} (an ECR repository with images cannot be destroyed)`];
    default:
      return [];
  }
}

/** The plan as an operator reads it; `--dry-run` prints exactly this. */
export function formatPlan(plan: Plan): string {
  const lines = [`${plan.operation} of "${plan.env}" in account ${plan.accountId}, ${plan.region}; state s3://${plan.stateBucket}/${plan.stateKey}`, ''];
  plan.steps.forEach((step, i) => {
    lines.push(`${i + 1}. [${step.id}] ${step.title}`);
    for (const d of stepDetail(step)) lines.push(`     ${d}`);
    for (const c of stepCommands(step)) lines.push(`     $ ${renderCommand(c)}`);
  });
  return lines.join('\n');
}

export function formatResults(results: StepResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length));
  return results.map((r) => `${r.outcome.padEnd(8)} ${r.id.padEnd(width)}  ${r.detail}`.trimEnd()).join('\n');
}
