/**
 * A stand-in for the child processes of a deploy plan (cdktf, terraform, docker, gh, runtime-status).
 * It records each command exactly and does to moto what the real program would do to AWS
 * (terraform apply creates the ECR repository / pointer and writes state to S3; docker pushes an
 * image), so the plan's own AWS steps meet real state. Nothing AWS is mocked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateRepositoryCommand, DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { renderCommand, type Command } from '../../src/deploy/command';
import type { RunOptions, RunOutput, Runner } from '../../src/deploy/runner';
import { pushLocalImage } from '../../src/local/images';
import { ECR_REPOSITORY_ADDRESS } from '../../src/deploy/terraform';

export const POINTER_ADDRESS = 'aws_ssm_parameter.application_image-pointer_ABCD1234';
export const RUNTIME_ADDRESS = 'aws_bedrockagentcore_agent_runtime.application_runtime_45C6397B';
export const TABLE_ADDRESS = 'aws_dynamodb_table.data_repos_8703BEAD';
export const POOL_ADDRESS = 'aws_cognito_user_pool.auth_pool_104A0DB0';
const ALL = [ECR_REPOSITORY_ADDRESS, POINTER_ADDRESS, RUNTIME_ADDRESS, TABLE_ADDRESS, POOL_ADDRESS];

export interface FakeOptions {
  region?: string;
  /** Fail the next N full (untargeted) terraform applies, as a crash half-way would. */
  failFullApplies?: number;
  /** runtime-status exits 3 this many times before it exits 0. */
  notReadyTimes?: number;
  /** gh branch-policy listing output per GitHub environment. */
  branchPolicies?: Record<string, string>;
  /** gh api users/<login> ids. */
  githubUsers?: Record<string, number>;
}

export class FakePrograms implements Runner {
  readonly calls: string[] = [];
  readonly secrets: (string | undefined)[] = [];
  private context: Record<string, string> = {};
  private readonly s3: S3Client;
  private readonly ecr: ECRClient;
  private readonly ssm: SSMClient;

  constructor(private readonly opts: FakeOptions = {}) {
    const region = opts.region ?? 'us-east-1';
    this.s3 = new S3Client({ region });
    this.ecr = new ECRClient({ region });
    this.ssm = new SSMClient({ region });
  }

  /** Commands that would change AWS (everything but synth, init, status and reads). */
  writes(): string[] {
    return this.calls.filter((c) => / apply | apply$| destroy |docker buildx|docker login|gh api --method|gh variable set/.test(c));
  }

  async run(command: Command, opts: RunOptions = {}): Promise<RunOutput> {
    this.calls.push(renderCommand(command));
    const [program, ...args] = command.argv;
    const joined = args.join(' ');
    if (program === 'npx' && args[0] === 'cdktf' && args[1] === 'synth') {
      this.context = JSON.parse(command.env!.CDKTF_CONTEXT_JSON!);
      const stackDir = path.join(args[args.indexOf('--output') + 1]!, 'stacks', 'infra');
      fs.mkdirSync(stackDir, { recursive: true });
      const [ecrType, ecrId] = ECR_REPOSITORY_ADDRESS.split('.');
      const resource: Record<string, Record<string, unknown>> = { [ecrType!]: { [ecrId!]: {} } };
      for (const a of ALL.slice(1)) resource[a.split('.')[0]!] = { [a.split('.')[1]!]: {} };
      fs.writeFileSync(path.join(stackDir, 'cdk.tf.json'), JSON.stringify({ resource }));
      return { code: 0, stdout: '' };
    }
    if (program === 'terraform' && args[1] === 'init') return { code: 0, stdout: '' };
    if (program === 'terraform' && args[1] === 'destroy') {
      // Like AWS, ECR refuses to delete a repository that still holds images (no force).
      await this.ecr.send(new DeleteRepositoryCommand({ repositoryName: `abca-${this.context.env}-agent` }));
      await this.writeState([]);
      return { code: 0, stdout: '' };
    }
    if (program === 'terraform' && args[1] === 'apply') {
      const env = this.context.env!;
      const targets = args.filter((a) => a.startsWith('-target=')).map((a) => a.slice('-target='.length));
      if (targets.includes(TABLE_ADDRESS)) {
        await this.writeState(ALL, this.context.deletionProtection !== 'false');
        return { code: 0, stdout: '' };
      }
      if (targets.length) {
        await this.ecr.send(new CreateRepositoryCommand({ repositoryName: `abca-${env}-agent`, imageTagMutability: 'IMMUTABLE' }));
        await this.writeState([ECR_REPOSITORY_ADDRESS]);
        return { code: 0, stdout: '' };
      }
      if ((this.opts.failFullApplies ?? 0) > 0) {
        this.opts.failFullApplies!--;
        return { code: 1, stdout: '' };
      }
      await this.ssm.send(new PutParameterCommand({ Name: `/abca/${env}/runtime/image-digest`, Type: 'String', Value: this.context.initialImageDigest! }));
      await this.writeState(ALL, this.context.deletionProtection !== 'false');
      return { code: 0, stdout: '' };
    }
    if (program === 'docker' && args[0] === 'login') {
      this.secrets.push(opts.secret);
      return { code: 0, stdout: '' };
    }
    if (program === 'docker' && args[0] === 'buildx') {
      const ref = args[args.indexOf('--tag') + 1]!;
      const [repoUrl, tag] = ref.split(/:(?=[^:]+$)/) as [string, string];
      // docker push uploads the blobs before the manifest (the emulator refuses a manifest without them).
      const digest = await pushLocalImage(this.ecr, repoUrl.split('/')[1]!, tag, joined);
      fs.writeFileSync(args[args.indexOf('--metadata-file') + 1]!, JSON.stringify({ 'containerimage.digest': digest }));
      return { code: 0, stdout: '' };
    }
    if (program === 'npx' && args.includes('scripts/runtime-status.ts')) {
      if ((this.opts.notReadyTimes ?? 0) > 0) {
        this.opts.notReadyTimes!--;
        return { code: 3, stdout: 'DRIFT: runtime is CREATING' };
      }
      return { code: 0, stdout: 'in sync: pointer == live runtime' };
    }
    if (program === 'gh') {
      const m = /environments\/([^/]+)\/deployment-branch-policies$/.exec(args[1] ?? '');
      if (args[0] === 'api' && m) return { code: 0, stdout: this.opts.branchPolicies?.[m[1]!] ?? '' };
      const user = /^users\/([\w-]+)$/.exec(args[1] ?? '');
      if (args[0] === 'api' && user)
        return this.opts.githubUsers?.[user[1]!] ? { code: 0, stdout: `${this.opts.githubUsers[user[1]!]}\n` } : { code: 1, stdout: '' };
      return { code: 0, stdout: '' };
    }
    throw new Error(`unexpected command: ${renderCommand(command)}`);
  }

  private async writeState(addresses: string[], deletionProtection = true): Promise<void> {
    const attributes = (type: string) =>
      type === 'aws_dynamodb_table'
        ? { deletion_protection_enabled: deletionProtection }
        : type === 'aws_cognito_user_pool'
          ? { deletion_protection: deletionProtection ? 'ACTIVE' : 'INACTIVE' }
          : {};
    const resources = addresses.map((a) => ({
      mode: 'managed',
      type: a.split('.')[0],
      name: a.split('.')[1],
      instances: [{ attributes: attributes(a.split('.')[0]!) }],
    }));
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.context.stateBucket!,
        Key: `abca/${this.context.env}/infra.tfstate`,
        Body: JSON.stringify({ version: 4, resources }),
      }),
    );
  }
}
