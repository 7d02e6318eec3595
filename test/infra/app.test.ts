/**
 * The app entry and its settings: context from `--context key=value` (or CDKTF_CONTEXT_JSON),
 * clear refusals of bad values, and a full synth to disk with the Lambda zips in place.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { HANDLER_NAMES } from '../../src/build/handlers';
import { synthInfra } from '../../stacks/main';
import { rolePolicy, synthInfraJson, testBundles } from './support/synth';
import { contextFromArgv, readSettings, UNCONFIGURED_REPOSITORY } from '../../stacks/settings';

const settingsFor = (context: Record<string, unknown>) => readSettings(Testing.app({ stackTraces: false, context }));

describe('settings', () => {
  it('reads --context key=value pairs in every spelling', () => {
    expect(contextFromArgv(['--context', 'env=qa', '-c', 'githubRepository=a/b', '--context=vpcCidr=10.9.0.0/16'])).toEqual({
      env: 'qa',
      githubRepository: 'a/b',
      vpcCidr: '10.9.0.0/16',
    });
    expect(() => contextFromArgv(['--context', 'env'])).toThrow(/--context takes key=value/);
  });

  it('defaults to dev, the placeholder repository (no token can match it) and deletion protection on', () => {
    // Prepare
    const saved = process.env.GITHUB_REPOSITORY;
    delete process.env.GITHUB_REPOSITORY;
    // Act
    const s = settingsFor({});
    if (saved !== undefined) process.env.GITHUB_REPOSITORY = saved;
    // Assess
    expect(s).toMatchObject({ env: 'dev', githubRepository: UNCONFIGURED_REPOSITORY, githubRepositoryConfigured: false, deletionProtection: true, region: '' });
    expect(s.initialImageDigest).toBeUndefined();
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ env: 'Prod!' }, /invalid environment name "Prod!"/],
    [{ initialImageDigest: 'latest' }, /initialImageDigest must look like sha256:<64 hex>, got "latest"/],
    [{ githubRepository: 'just-a-name' }, /githubRepository must be "owner\/repo"/],
    [{ vpcCidr: '10.0.0.0/8' }, /vpcCidr must be a \/16/],
    [{ deletionProtection: 'maybe' }, /deletionProtection" must be true or false/],
    [{ githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/example.com' }, /githubOidcProviderArn must be the ARN of the token.actions.githubusercontent.com provider/],
  ])('refuses %j', (context, message) => {
    expect(() => settingsFor(context)).toThrow(message);
  });
});

describe('app entry (stacks/main.ts)', () => {
  it('bundles the handlers and writes stack "infra" with its Lambda zips for the env given on the command line', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-synth-'));
    // Act
    await synthInfra({ outdir: path.join(dir, 'out'), bundleDir: path.join(dir, 'bundles'), argv: ['--context', 'env=qa', '--context', 'githubRepository=acme-org/abca'] });
    // Assess
    const stackDir = path.join(dir, 'out', 'stacks', 'infra');
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const zips = Object.values(json.resource.aws_lambda_function as Record<string, { filename: string }>).map((f) => f.filename);
    expect(zips).toHaveLength(HANDLER_NAMES.length);
    for (const zip of zips) expect(fs.statSync(path.join(stackDir, zip)).size).toBeGreaterThan(0);
    expect(Object.values(json.resource.aws_dynamodb_table as Record<string, { name: string }>).map((t) => t.name)).toContain('abca-qa-repos');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('state backend', () => {
  it('keeps state in the S3 bucket under abca/<env>/ with S3 locking, and lets the infra deployer reach only that prefix', async () => {
    // Act
    const { json } = synthInfraJson(await testBundles(), { env: 'qa', stateBucket: 'acme-tf-state' });
    const statements = rolePolicy(json, 'abca-qa-ci-infra').Statement;
    // Assess
    expect(json.terraform.backend).toEqual({ s3: { bucket: 'acme-tf-state', key: 'abca/qa/infra.tfstate', encrypt: true, use_lockfile: true } });
    expect(statements.find((s) => s.Sid === 'StateObjects')).toMatchObject({ Resource: 'arn:aws:s3:::acme-tf-state/abca/qa/*' });
  });

  it('keeps local state per environment when no bucket is given', async () => {
    // Act
    const { json } = synthInfraJson(await testBundles(), { env: 'qa' });
    // Assess
    expect((json.terraform.backend as { local: { path: string } }).local.path).toMatch(/terraform\.infra-qa\.tfstate$/);
  });
});
