/**
 * `npm run deploy:first`: an environment into an empty account, in one command.
 *
 *   state bucket → synth → init → ECR repository only → first image (found or built) →
 *   [synth with the digest → init] → everything else → runtime-status → GitHub
 *
 * planFirstDeploy is pure: the plan it returns is what --dry-run prints and what applyPlan runs.
 */
import * as path from 'node:path';
import { ValidationError } from '../errors';
import { platformNames } from '../platform/names';
import { isImageDigest } from '../platform/runtime-spec';
import { githubSetup } from './github';
import { bootstrapTag, buildCommand, loginCommand } from './image';
import { IMAGE_DIGEST_PLACEHOLDER, type Plan, type Step } from './plan';
import { applyCommand, ECR_REPOSITORY_ADDRESS, initCommand, stackDirOf, stateKeyFor, synthCommand } from './terraform';

export interface FirstDeployInput {
  env: string;
  region: string;
  accountId: string;
  githubRepository: string;
  /** Default: abca-tfstate-<account>-<region> (one bucket per account and region, a key per env). */
  stateBucket?: string;
  imageDigest?: string;
  githubOidcProviderArn?: string;
  vpcCidr?: string;
  manageApiGatewayAccount?: boolean;
  /** The commit checked out (names the bootstrap image tag). */
  commit: string;
  /** cdktf output folder (default cdktf.out). */
  outdir: string;
  /** Where a deploy without stateBucket kept its state (default terraform.infra-<env>.tfstate, as stacks/infra-stack.ts writes it). */
  localStateFile?: string;
  applyGithub: boolean;
  /** Required reviewers of <env>-infra (GitHub logins), set with --apply-github. */
  githubReviewers?: string[];
  /** Runtime-status wait bounds. */
  waitTimeoutSeconds?: number;
  waitIntervalSeconds?: number;
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function defaultStateBucket(accountId: string, region: string): string {
  return `abca-tfstate-${accountId}-${region}`;
}

/** The cdktf context of the deploy (what CI must repeat is the ABCA_* subset in infraVariables). */
export function deployContext(input: FirstDeployInput, stateBucket: string, digest?: string): Record<string, string> {
  const ctx: Record<string, string> = { env: input.env, region: input.region, githubRepository: input.githubRepository, stateBucket };
  if (input.githubOidcProviderArn) ctx.githubOidcProviderArn = input.githubOidcProviderArn;
  if (input.vpcCidr) ctx.vpcCidr = input.vpcCidr;
  if (input.manageApiGatewayAccount === false) ctx.manageApiGatewayAccount = 'false';
  if (digest) ctx.initialImageDigest = digest;
  return ctx;
}

export function checkFirstDeployInput(input: FirstDeployInput): void {
  platformNames(input.env);
  if (!REPOSITORY.test(input.githubRepository))
    throw new ValidationError(`--github-repository must be "owner/repo", got "${input.githubRepository}"`, 'VALIDATION_ERROR');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(input.region))
    throw new ValidationError(`region must be an AWS region such as us-east-1, got "${input.region}" (set --region or AWS_REGION)`, 'VALIDATION_ERROR');
  if (!/^\d{12}$/.test(input.accountId)) throw new ValidationError(`not an AWS account id: "${input.accountId}"`, 'VALIDATION_ERROR');
  if (input.stateBucket !== undefined && !BUCKET.test(input.stateBucket))
    throw new ValidationError(`--state-bucket must be an S3 bucket name, got "${input.stateBucket}"`, 'VALIDATION_ERROR');
  if (input.imageDigest !== undefined && !isImageDigest(input.imageDigest))
    throw new ValidationError(`--image-digest must look like sha256:<64 hex>, got "${input.imageDigest}"`, 'VALIDATION_ERROR');
  for (const login of input.githubReviewers ?? []) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(login))
      throw new ValidationError(`--github-reviewer must be a GitHub login, got "${login}"`, 'VALIDATION_ERROR');
  }
  if (!/^[0-9a-f]{7,40}$/.test(input.commit)) throw new ValidationError(`not a git commit: "${input.commit}"`, 'VALIDATION_ERROR');
}

export function planFirstDeploy(input: FirstDeployInput): Plan {
  checkFirstDeployInput(input);
  const names = platformNames(input.env);
  const stateBucket = input.stateBucket ?? defaultStateBucket(input.accountId, input.region);
  const stateKey = stateKeyFor(input.env);
  const stackDir = stackDirOf(input.outdir);
  const repositoryUrl = `${input.accountId}.dkr.ecr.${input.region}.amazonaws.com/${names.ecrRepository}`;
  const tag = bootstrapTag(input.commit);
  const apply = (id: string, title: string, targets: string[]): Step => ({
    kind: 'terraform-apply',
    id,
    title,
    command: applyCommand(stackDir, targets),
    stackDir,
    stateBucket,
    stateKey,
    targets,
  });

  const steps: Step[] = [
    { kind: 'state-bucket', id: 'state-bucket', title: 'Terraform state bucket', bucket: stateBucket, region: input.region },
    {
      kind: 'local-state',
      id: 'local-state',
      title: 'Move a local state of an earlier deploy into the bucket',
      file: input.localStateFile ?? `terraform.infra-${input.env}.tfstate`,
      stateBucket,
      stateKey,
    },
    {
      kind: 'command',
      id: 'synth',
      title: input.imageDigest
        ? 'Synthesize the stack (with the given image digest)'
        : 'Synthesize the stack (no image yet: only the ECR repository is applied from it)',
      command: synthCommand(input.outdir, deployContext(input, stateBucket, input.imageDigest)),
    },
    { kind: 'command', id: 'init', title: 'terraform init against the S3 state', command: initCommand(stackDir) },
    apply('deploy-ecr', `Create the ECR repository ${names.ecrRepository} only`, [ECR_REPOSITORY_ADDRESS]),
    {
      kind: 'image',
      id: 'image',
      title: input.imageDigest ? 'Check the given agent image' : 'First agent image (linux/arm64)',
      repositoryName: names.ecrRepository,
      repositoryUrl,
      pointerParameter: names.parameters.imagePointer,
      tag,
      givenDigest: input.imageDigest,
      build: {
        login: loginCommand(repositoryUrl),
        build: buildCommand({ agentDir: 'agent', repositoryUrl, tag, commit: input.commit, metadataFile: path.join(input.outdir, 'abca-first-image.json') }),
        metadataFile: path.join(input.outdir, 'abca-first-image.json'),
      },
    },
  ];
  if (!input.imageDigest) {
    steps.push(
      {
        kind: 'command',
        id: 'synth-with-image',
        title: 'Synthesize the stack with the image digest (the pointer starts there)',
        command: synthCommand(input.outdir, deployContext(input, stateBucket, IMAGE_DIGEST_PLACEHOLDER)),
      },
      { kind: 'command', id: 'init-again', title: 'terraform init (fresh synth output)', command: initCommand(stackDir) },
    );
  }
  steps.push(
    apply('deploy', 'Deploy everything else (runtime on <repository>@<digest>, API, CI roles, …)', []),
    {
      kind: 'runtime-status',
      id: 'runtime-status',
      title: 'Wait for the runtime, then runtime-status',
      command: { argv: ['npx', 'tsx', 'scripts/runtime-status.ts', '--env', input.env] },
      timeoutSeconds: input.waitTimeoutSeconds ?? 900,
      intervalSeconds: input.waitIntervalSeconds ?? 15,
    },
    {
      kind: 'github',
      id: 'github',
      title: input.applyGithub ? 'Set up GitHub (gh)' : 'What to set in GitHub',
      setup: githubSetup({
        env: input.env,
        repository: input.githubRepository,
        accountId: input.accountId,
        region: input.region,
        stateBucket,
        infraVariables: {
          ABCA_GITHUB_OIDC_PROVIDER_ARN: input.githubOidcProviderArn,
          ABCA_VPC_CIDR: input.vpcCidr,
          ABCA_MANAGE_API_GATEWAY_ACCOUNT: input.manageApiGatewayAccount === false ? 'false' : undefined,
        },
        reviewers: input.githubReviewers,
      }),
      apply: input.applyGithub,
    },
  );
  return { operation: 'deploy-first', env: input.env, region: input.region, accountId: input.accountId, stateBucket, stateKey, steps };
}
