/**
 * `npm run teardown -- --env <env> --confirm <env>`: deletion protection off, the ECR repository
 * emptied, then `terraform destroy` from the remote state. Refused without the confirmation.
 * The state bucket stays (it may hold other environments' state, and its versions are the record).
 */
import { ValidationError } from '../errors';
import { platformNames } from '../platform/names';
import { defaultStateBucket } from './first-deploy';
import type { Plan } from './plan';
import { applyCommand, destroyCommand, initCommand, stackDirOf, stateKeyFor, synthCommand } from './terraform';

export const PROTECTED_TYPES = ['aws_dynamodb_table', 'aws_cognito_user_pool'];

export interface TeardownInput {
  env: string;
  region: string;
  accountId: string;
  stateBucket?: string;
  /** Must equal env. */
  confirm?: string;
  outdir: string;
}

/** Refuses unless --confirm names the environment (checked before any AWS call). */
export function checkConfirmation(env: string, confirm: string | undefined): void {
  if (confirm !== env)
    throw new ValidationError(`teardown destroys environment "${env}" and its data: pass --confirm ${env} to go ahead`, 'CONFIRMATION_REQUIRED');
}

export function planTeardown(input: TeardownInput): Plan {
  const names = platformNames(input.env);
  checkConfirmation(input.env, input.confirm);
  const stateBucket = input.stateBucket ?? defaultStateBucket(input.accountId, input.region);
  const stateKey = stateKeyFor(input.env);
  const stackDir = stackDirOf(input.outdir);
  const context = { env: input.env, region: input.region, stateBucket, deletionProtection: 'false' };
  return {
    operation: 'teardown',
    env: input.env,
    region: input.region,
    accountId: input.accountId,
    stateBucket,
    stateKey,
    steps: [
      { kind: 'command', id: 'synth', title: 'Synthesize the stack with deletion protection off', command: synthCommand(input.outdir, context) },
      { kind: 'command', id: 'init', title: 'terraform init against the S3 state', command: initCommand(stackDir) },
      {
        kind: 'unprotect',
        id: 'deletion-protection-off',
        title: 'Turn deletion protection off (tables, user pool)',
        stackDir,
        stateBucket,
        stateKey,
        types: PROTECTED_TYPES,
        command: applyCommand(stackDir),
      },
      { kind: 'empty-repository', id: 'empty-ecr', title: `Empty ECR repository ${names.ecrRepository}`, repositoryName: names.ecrRepository },
      {
        kind: 'terraform-destroy',
        id: 'destroy',
        title: `terraform destroy (everything of "${input.env}")`,
        command: destroyCommand(stackDir),
        stateBucket,
        stateKey,
      },
    ],
  };
}
