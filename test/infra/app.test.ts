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
import { rolePolicy, synthInfraJson, testBundles } from './support';
import {
  checkContextKeys,
  contextFromArgv,
  contextFromConfigFile,
  contextFromEnvironment,
  CONTEXT_VARIABLES,
  readSettings,
  UNCONFIGURED_REPOSITORY,
} from '../../stacks/settings';

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
    [
      { githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/example.com' },
      /githubOidcProviderArn must be the ARN of the token.actions.githubusercontent.com provider/,
    ],
  ])('refuses %j', (context, message) => {
    expect(() => settingsFor(context)).toThrow(message);
  });
});

describe('every key from its ABCA_* variable', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('reads each key from its variable when no context gives it', () => {
    // Prepare
    Object.assign(process.env, {
      ABCA_ENV: 'qa',
      ABCA_REGION: 'eu-west-1',
      ABCA_INITIAL_IMAGE_DIGEST: `sha256:${'cd'.repeat(32)}`,
      ABCA_GITHUB_REPOSITORY: 'acme-org/widgets',
      ABCA_GITHUB_OIDC_PROVIDER_ARN: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      ABCA_STATE_BUCKET: 'acme-tf-state',
      ABCA_VPC_CIDR: '10.9.0.0/16',
      ABCA_DELETION_PROTECTION: 'false',
      ABCA_MANAGE_API_GATEWAY_ACCOUNT: 'false',
      ABCA_REQUIRE_REMOTE_STATE: 'true',
    });
    // Act
    const s = settingsFor({});
    // Assess
    expect(Object.keys(CONTEXT_VARIABLES).sort()).toEqual(
      Object.keys(s)
        .filter((k) => k !== 'githubRepositoryConfigured')
        .sort(),
    );
    expect(s).toEqual({
      env: 'qa',
      region: 'eu-west-1',
      initialImageDigest: `sha256:${'cd'.repeat(32)}`,
      githubRepository: 'acme-org/widgets',
      githubRepositoryConfigured: true,
      githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      stateBucket: 'acme-tf-state',
      vpcCidr: '10.9.0.0/16',
      deletionProtection: false,
      manageApiGatewayAccount: false,
      requireRemoteState: true,
      promotionSourceRoleArns: [],
    });
  });

  it('lets context win over the variable', () => {
    // Prepare
    process.env.ABCA_ENV = 'qa';
    process.env.ABCA_DELETION_PROTECTION = 'false';
    // Act
    const s = settingsFor({ env: 'staging', deletionProtection: true });
    // Assess
    expect(s).toMatchObject({ env: 'staging', deletionProtection: true });
  });

  it('refuses to synthesize without a state bucket where remote state is required (CI)', () => {
    // Prepare
    process.env.ABCA_REQUIRE_REMOTE_STATE = 'true';
    // Act + Assess
    expect(() => settingsFor({ env: 'qa' })).toThrow(/REMOTE_STATE|no remote state: requireRemoteState is set but stateBucket is not/);
    expect(settingsFor({ env: 'qa', stateBucket: 'acme-tf-state' }).stateBucket).toBe('acme-tf-state');
  });
});

describe('context sources', () => {
  it("refuses unknown keys (a typo is never ignored) but lets cdktf's own keys pass", () => {
    // Assess
    expect(() => checkContextKeys({ env: 'qa', initialImageDigets: 'x' }, 'CDKTF_CONTEXT_JSON')).toThrow(
      /CDKTF_CONTEXT_JSON: unknown context key "initialImageDigets"/,
    );
    expect(() => checkContextKeys({ env: 'qa', cdktfRelativeModules: [], cdktfVersion: '0.21.0' }, 'CDKTF_CONTEXT_JSON')).not.toThrow();
    // Keys the network and promotion-policy constructs read are settings like the others.
    expect(() =>
      checkContextKeys({ agentCoreAzIds: 'use1-az1,use1-az2', runtimeInternetEgress: 'false', promoteFrom: 'staging' }, 'CDKTF_CONTEXT_JSON'),
    ).not.toThrow();
  });

  it('parses CDKTF_CONTEXT_JSON with a clear error for bad JSON', () => {
    // Assess
    expect(contextFromEnvironment('{"env":"qa"}')).toEqual({ env: 'qa' });
    expect(contextFromEnvironment(undefined)).toEqual({});
    expect(() => contextFromEnvironment('{env:qa}')).toThrow(/CDKTF_CONTEXT_JSON is not valid JSON/);
    expect(() => contextFromEnvironment('["qa"]')).toThrow(/must be a JSON object/);
  });

  it('reads the "context" of a cdktf.json, and nothing when it has none', () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-cdktf-json-'));
    const withContext = path.join(dir, 'with.json');
    const without = path.join(dir, 'without.json');
    fs.writeFileSync(withContext, JSON.stringify({ app: 'x', context: { env: 'qa' } }));
    fs.writeFileSync(without, JSON.stringify({ app: 'x' }));
    // Assess
    expect(contextFromConfigFile(withContext)).toEqual({ env: 'qa' });
    expect(contextFromConfigFile(without)).toEqual({});
    expect(contextFromConfigFile(path.join(dir, 'missing.json'))).toEqual({});
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ships a cdktf.json without "context" (with it, cdktf-cli 0.21 drops CDKTF_CONTEXT_JSON)', () => {
    // Assess
    expect(JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdktf.json'), 'utf8'))).not.toHaveProperty('context');
  });
});

describe('app entry (stacks/main.ts)', () => {
  it('puts --context over CDKTF_CONTEXT_JSON over cdktf.json over ABCA_* variables', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-precedence-'));
    const configFile = path.join(dir, 'cdktf.json');
    fs.writeFileSync(configFile, JSON.stringify({ context: { env: 'fromfile', vpcCidr: '10.1.0.0/16', githubRepository: 'file-org/abca' } }));
    const saved = { ...process.env };
    Object.assign(process.env, {
      ABCA_ENV: 'fromvar',
      ABCA_VPC_CIDR: '10.2.0.0/16',
      ABCA_STATE_BUCKET: 'var-bucket',
      CDKTF_CONTEXT_JSON: JSON.stringify({ env: 'fromjson', vpcCidr: '10.3.0.0/16' }),
    });
    try {
      // Act
      const stack = await synthInfra({ outdir: path.join(dir, 'out'), bundleDir: path.join(dir, 'bundles'), configFile, argv: ['--context', 'env=fromargv'] });
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'stacks', 'infra', 'cdk.tf.json'), 'utf8'));
      // Assess
      expect(stack.names.env).toBe('fromargv');
      expect(Object.values(json.resource.aws_vpc as Record<string, { cidr_block: string }>)[0]!.cidr_block).toBe('10.3.0.0/16');
      expect(json.terraform.backend.s3.bucket).toBe('var-bucket');
      expect(JSON.stringify(json.resource.aws_iam_role)).toContain('repo:file-org/abca:environment:fromargv-infra');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown --context key before synthesizing', async () => {
    // Act + Assess
    await expect(synthInfra({ argv: ['--context', 'enviroment=qa'] })).rejects.toThrow(/--context: unknown context key "enviroment"/);
  });

  it('bundles the handlers and writes stack "infra" with its Lambda zips for the env given on the command line', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-synth-'));
    // Act
    await synthInfra({
      outdir: path.join(dir, 'out'),
      bundleDir: path.join(dir, 'bundles'),
      argv: ['--context', 'env=qa', '--context', 'githubRepository=acme-org/abca'],
    });
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
