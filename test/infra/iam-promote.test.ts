/**
 * The promotion grant of the target publisher, evaluated with the IAM policy simulator on the
 * synthesized policy of a prod stack (default policy: prod accepts from staging).
 */
import { platformNames } from '../../src/platform/names';
import { promotionSourceStatements, promotionSourceTrust, promotionStatements } from '../../stacks/policies/publisher';
import { promotionPolicyParameter } from '../../src/platform/promotion-policy';
import { decide, type Request, ACCOUNT, REGION, find, rolePolicy, synthInfraJson, testBundles, type TfJson } from './support';

const prod = platformNames('prod');
const staging = platformNames('staging');
const dev = platformNames('dev');
const arn = {
  ssm: (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
  table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  repo: (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
  runtime: (name: string) => `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:runtime/${name}-a1b2c3d4e5`,
};

let json: TfJson;
let devJson: TfJson;
beforeAll(async () => {
  const bundles = await testBundles();
  json = synthInfraJson(bundles, { env: 'prod' }).json;
  devJson = synthInfraJson(bundles, { env: 'dev', promoteFrom: 'staging,qa' }).json;
});

async function decisions(tf: TfJson, requests: Request[]): Promise<string[]> {
  const role = tf === json ? prod.roles.runtimePublisher : dev.roles.runtimePublisher;
  const policy = rolePolicy(tf, role);
  return Promise.all(requests.map(async (r) => `${r.action} ${r.resource}: ${await decide(policy, `arn:aws:iam::${ACCOUNT}:role/${role}`, r)}`));
}
const expectAll = async (tf: TfJson, requests: Request[], decision: string) =>
  expect(await decisions(tf, requests)).toEqual(requests.map((r) => `${r.action} ${r.resource}: ${decision}`));

describe('promotion: the target publisher and the source environment', () => {
  it('writes the default promotion policy once and ignores later changes to it', () => {
    // Act
    const [, param] = find(json, 'aws_ssm_parameter', 'name', promotionPolicyParameter('prod'));
    // Assess
    expect(JSON.parse(String(param.insecure_value))).toEqual({ accept_from: ['staging'], require_smoke: true });
    expect(param.lifecycle).toEqual({ ignore_changes: ['insecure_value'] });
  });

  it("prod's publisher may read staging's image (manifest, layers), platform document, audit and runtime", async () => {
    await expectAll(
      json,
      [
        { action: 'ecr:BatchGetImage', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:GetDownloadUrlForLayer', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:BatchCheckLayerAvailability', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:DescribeImages', resource: arn.repo(staging.ecrRepository) },
        { action: 'ssm:GetParameter', resource: arn.ssm(staging.parameters.platform) },
        { action: 'dynamodb:Query', resource: arn.table(staging.tables.audit) },
        { action: 'dynamodb:GetItem', resource: arn.table(staging.tables.audit) },
        { action: 'bedrock-agentcore:GetAgentRuntime', resource: arn.runtime(staging.agentRuntime) },
        { action: 'bedrock-agentcore:GetAgentRuntimeEndpoint', resource: `${arn.runtime(staging.agentRuntime)}/runtime-endpoint/live` },
        // its own promotion policy, and push the copy into its own repository as any publish does
        { action: 'ssm:GetParameter', resource: arn.ssm(promotionPolicyParameter('prod')) },
        { action: 'ecr:InitiateLayerUpload', resource: arn.repo(prod.ecrRepository) },
        { action: 'ecr:PutImage', resource: arn.repo(prod.ecrRepository) },
      ],
      'Allowed',
    );
  });

  it("prod's publisher cannot push to staging's repository or touch staging's pointer, lock, runtime or endpoints", async () => {
    await expectAll(
      json,
      [
        { action: 'ecr:PutImage', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:InitiateLayerUpload', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:UploadLayerPart', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:CompleteLayerUpload', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:BatchDeleteImage', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:SetRepositoryPolicy', resource: arn.repo(staging.ecrRepository) },
        { action: 'ssm:PutParameter', resource: arn.ssm(staging.parameters.imagePointer) },
        { action: 'ssm:LabelParameterVersion', resource: arn.ssm(staging.parameters.imagePointer) },
        { action: 'ssm:PutParameter', resource: arn.ssm(promotionPolicyParameter('staging')) },
        { action: 'ssm:PutParameter', resource: arn.ssm(staging.parameters.platform) },
        // nor change its own policy: operators do that, not the pipeline it gates
        { action: 'ssm:PutParameter', resource: arn.ssm(promotionPolicyParameter('prod')) },
        { action: 'dynamodb:PutItem', resource: arn.table(staging.tables.audit) },
        { action: 'dynamodb:PutItem', resource: arn.table(staging.tables.locks) },
        { action: 'dynamodb:DeleteItem', resource: arn.table(staging.tables.locks) },
        { action: 'bedrock-agentcore:UpdateAgentRuntime', resource: arn.runtime(staging.agentRuntime) },
        { action: 'bedrock-agentcore:UpdateAgentRuntimeEndpoint', resource: `${arn.runtime(staging.agentRuntime)}/runtime-endpoint/live` },
        { action: 'bedrock-agentcore:InvokeAgentRuntime', resource: arn.runtime(staging.agentRuntime) },
        { action: 'bedrock-agentcore:DeleteAgentRuntime', resource: arn.runtime(staging.agentRuntime) },
        { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/${staging.roles.runtimeExecution}` },
      ],
      'ImplicitlyDenied',
    );
  });

  it('reads nothing of an environment the policy default does not list (dev is not a source of prod)', async () => {
    await expectAll(
      json,
      [
        { action: 'ecr:BatchGetImage', resource: arn.repo(dev.ecrRepository) },
        { action: 'ecr:GetDownloadUrlForLayer', resource: arn.repo(dev.ecrRepository) },
        { action: 'dynamodb:Query', resource: arn.table(dev.tables.audit) },
        { action: 'ssm:GetParameter', resource: arn.ssm(dev.parameters.platform) },
        { action: 'bedrock-agentcore:GetAgentRuntime', resource: arn.runtime(dev.agentRuntime) },
        // nor the source's pointer or its other tables: the check reads the audit and the runtime
        { action: 'ssm:GetParameter', resource: arn.ssm(staging.parameters.imagePointer) },
        { action: 'dynamodb:Query', resource: arn.table(staging.tables.repos) },
        { action: 'dynamodb:GetItem', resource: arn.table(staging.tables.apiKeys) },
      ],
      'ImplicitlyDenied',
    );
  });

  it('promoteFrom replaces the convention, for the policy default and the grant alike', async () => {
    // Prepare
    const qa = platformNames('qa');
    const [, param] = find(devJson, 'aws_ssm_parameter', 'name', promotionPolicyParameter('dev'));
    // Assess
    expect(JSON.parse(String(param.insecure_value)).accept_from).toEqual(['staging', 'qa']);
    await expectAll(
      devJson,
      [
        { action: 'ecr:GetDownloadUrlForLayer', resource: arn.repo(staging.ecrRepository) },
        { action: 'ecr:GetDownloadUrlForLayer', resource: arn.repo(qa.ecrRepository) },
      ],
      'Allowed',
    );
    await expectAll(devJson, [{ action: 'ecr:GetDownloadUrlForLayer', resource: arn.repo(prod.ecrRepository) }], 'ImplicitlyDenied');
  });

  it('a bad promoteFrom fails the synth with one clear message', async () => {
    const bundles = await testBundles();
    expect(() => synthInfraJson(bundles, { env: 'prod', promoteFrom: 'Not An Env' })).toThrow(expect.objectContaining({ code: 'INVALID_CONTEXT' }));
    expect(() => synthInfraJson(bundles, { env: 'prod', promoteFrom: 'prod' })).toThrow('cannot promote into itself');
  });

  describe('cross-account sources', () => {
    const SOURCE = '111111111111';
    const role = `arn:aws:iam::${SOURCE}:role/abca-staging-promotion-source`;
    const aws = { accountId: ACCOUNT, region: REGION, partition: 'aws', dnsSuffix: 'amazonaws.com' };
    const doc = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
    const publisher = `arn:aws:iam::${ACCOUNT}:role/${prod.roles.runtimePublisher}`;

    it('the target publisher may assume exactly the source roles it is given, and no other role', async () => {
      // Prepare
      const policy = doc(promotionStatements(prod, [], aws, [role]));
      // Act
      const allowed = await decide(policy, publisher, { action: 'sts:AssumeRole', resource: role });
      const other = await decide(policy, publisher, { action: 'sts:AssumeRole', resource: `arn:aws:iam::${SOURCE}:role/Admin` });
      const without = await decide(doc(promotionStatements(prod, [], aws)), publisher, { action: 'sts:AssumeRole', resource: role });
      // Assess
      expect([allowed, other, without]).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
    });

    it('the stack reads the source roles from its settings (promotionSourceRoleArns): the synthesized publisher may assume exactly those', async () => {
      // Prepare
      const bundles = await testBundles();
      const other = `arn:aws:iam::222222222222:role/abca-qa-promotion-source`;
      const withRoles = synthInfraJson(bundles, { env: 'prod', promotionSourceRoleArns: `${role}, ${other}` }).json;
      const policy = rolePolicy(withRoles, prod.roles.runtimePublisher);
      const ask = (tf: typeof policy, resource: string) => decide(tf, publisher, { action: 'sts:AssumeRole', resource });
      // Act
      const given = await Promise.all([ask(policy, role), ask(policy, other)]);
      const notGiven = await ask(policy, `arn:aws:iam::${SOURCE}:role/Admin`);
      const byDefault = await ask(rolePolicy(json, prod.roles.runtimePublisher), role);
      // Assess
      expect(given).toEqual(['Allowed', 'Allowed']);
      expect([notGiven, byDefault]).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied']);
      // The CI roles carry no permissions boundary (stacks/policies/boundary.ts): nothing else limits it.
      expect(find(withRoles, 'aws_iam_role', 'name', prod.roles.runtimePublisher)[1].permissions_boundary).toBeUndefined();
    });

    it('a source role setting that is not an IAM role ARN fails the synth with one clear message', async () => {
      const bundles = await testBundles();
      expect(() => synthInfraJson(bundles, { env: 'prod', promotionSourceRoleArns: 'arn:aws:iam::1:user/me' })).toThrow(
        'context "promotionSourceRoleArns": not an IAM role ARN: "arn:aws:iam::1:user/me"',
      );
    });

    it('the role the operator creates in the source account reads the source environment, writes nothing, and trusts only the target publisher', async () => {
      // Prepare: the source account's own ARNs
      const policy = doc(promotionSourceStatements(staging, { ...aws, accountId: SOURCE }));
      const at = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${SOURCE}:${resource}`;
      const ask = (action: string, resource: string) => decide(policy, role, { action, resource }, { resourceAccount: SOURCE });
      // Act
      const reads = await Promise.all([
        ask('ecr:BatchGetImage', at('ecr', `repository/${staging.ecrRepository}`)),
        ask('ecr:GetDownloadUrlForLayer', at('ecr', `repository/${staging.ecrRepository}`)),
        ask('ssm:GetParameter', at('ssm', `parameter${staging.parameters.platform}`)),
        ask('dynamodb:Query', at('dynamodb', `table/${staging.tables.audit}`)),
        ask('bedrock-agentcore:GetAgentRuntime', at('bedrock-agentcore', `runtime/${staging.agentRuntime}-a1b2c3d4e5`)),
      ]);
      const writes = await Promise.all([
        ask('ecr:PutImage', at('ecr', `repository/${staging.ecrRepository}`)),
        ask('ssm:PutParameter', at('ssm', `parameter${staging.parameters.imagePointer}`)),
        ask('dynamodb:PutItem', at('dynamodb', `table/${staging.tables.audit}`)),
        ask('bedrock-agentcore:UpdateAgentRuntime', at('bedrock-agentcore', `runtime/${staging.agentRuntime}-a1b2c3d4e5`)),
      ]);
      // Assess
      expect(reads).toEqual(reads.map(() => 'Allowed'));
      expect(writes).toEqual(writes.map(() => 'ImplicitlyDenied'));
      expect(promotionSourceTrust(publisher)).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: publisher }, Action: 'sts:AssumeRole' }],
      });
    });
  });
});
