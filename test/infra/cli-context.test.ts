/**
 * Context through the real cdktf CLI: `npx cdktf synth` as an operator runs it, with
 * CDKTF_CONTEXT_JSON for some keys and ABCA_* variables for the others. cdktf-cli 0.21 replaces
 * CDKTF_CONTEXT_JSON with cdktf.json's "context" whenever that key exists, so with the old
 * `"context": {}` this synthesized env "dev" and the placeholder pointer value.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ECR_REPOSITORY_ADDRESS } from '../../src/deploy/terraform';
import { ROOT } from '../support/run';
import { find, resources, trustPolicyOf, type TfJson } from './support';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OIDC = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

function cdktfSynth(outdir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules/.bin/cdktf'),
      ['synth', '--output', outdir],
      { cwd: ROOT, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('npx cdktf synth with CDKTF_CONTEXT_JSON and ABCA_* variables', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-cli-context-'));
  let json: TfJson;
  let run: { code: number; output: string };

  beforeAll(async () => {
    // Prepare: a clean environment, as an operator's shell would be (no ABCA_* but the ones set here).
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ABCA_') && k !== 'GITHUB_REPOSITORY'));
    Object.assign(env, {
      CHECKPOINT_DISABLE: '1',
      FORCE_COLOR: '0',
      CDKTF_CONTEXT_JSON: JSON.stringify({ env: 'qa', initialImageDigest: DIGEST, githubRepository: 'acme-org/widgets', stateBucket: 'acme-tf-state' }),
      ABCA_DELETION_PROTECTION: 'false',
      ABCA_VPC_CIDR: '10.77.0.0/16',
      ABCA_GITHUB_OIDC_PROVIDER_ARN: OIDC,
      ABCA_MANAGE_API_GATEWAY_ACCOUNT: 'false',
    });
    // Act
    run = await cdktfSynth(path.join(dir, 'out'), env);
    if (run.code === 0) json = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'stacks', 'infra', 'cdk.tf.json'), 'utf8')) as TfJson;
  }, 200_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('synthesizes', () => {
    // Assess
    expect({ code: run.code, tail: run.code === 0 ? '' : run.output.slice(-2000) }).toEqual({ code: 0, tail: '' });
  });

  it('names everything after the env from CDKTF_CONTEXT_JSON', () => {
    // Assess
    expect(
      resources(json, 'aws_dynamodb_table')
        .map(([, t]) => t.name)
        .sort(),
    ).toEqual(['abca-qa-api-keys', 'abca-qa-audit', 'abca-qa-locks', 'abca-qa-repos', 'abca-qa-tasks']);
    expect(resources(json, 'aws_ecr_repository').map(([, r]) => r.name)).toEqual(['abca-qa-agent']);
  });

  it('creates the pointer holding the initial digest, not the placeholder', () => {
    // Assess
    expect(find(json, 'aws_ssm_parameter', 'name', '/abca/qa/runtime/image-digest')[1].insecure_value).toBe(DIGEST);
  });

  it('trusts the given repository in both CI roles, through the existing OIDC provider', () => {
    // Prepare
    const subjects = ['abca-qa-ci-infra', 'abca-qa-ci-publisher'].map((role) => JSON.stringify(trustPolicyOf(json, role)));
    // Assess
    expect(subjects[0]).toContain('repo:acme-org/widgets:environment:qa-infra');
    expect(subjects[1]).toContain('repo:acme-org/widgets:environment:qa-runtime');
    for (const s of subjects) expect(s).toContain(OIDC);
    expect(resources(json, 'aws_iam_openid_connect_provider')).toEqual([]);
  });

  it('keeps state in the S3 bucket with S3-native locking', () => {
    // Assess
    expect(json.terraform.backend).toEqual({ s3: { bucket: 'acme-tf-state', key: 'abca/qa/infra.tfstate', encrypt: true, use_lockfile: true } });
  });

  it('honours the ABCA_* variables that had none before: deletion protection, VPC CIDR, API Gateway account', () => {
    // Assess
    for (const [, t] of resources(json, 'aws_dynamodb_table')) expect(t.deletion_protection_enabled).toBe(false);
    expect(resources(json, 'aws_cognito_user_pool').map(([, p]) => p.deletion_protection)).toEqual(['INACTIVE']);
    expect(resources(json, 'aws_vpc').map(([, v]) => v.cidr_block)).toEqual(['10.77.0.0/16']);
    expect(resources(json, 'aws_api_gateway_account')).toEqual([]);
  });

  it('has the ECR repository at the address the first deploy targets', () => {
    // Assess
    const [type, id] = ECR_REPOSITORY_ADDRESS.split('.');
    expect(Object.keys(json.resource[type!] ?? {})).toEqual([id]);
  });
});
