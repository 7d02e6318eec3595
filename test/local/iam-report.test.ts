/**
 * The unused-grants report's text and the refs that put the bootstrap's real runtime ARN into the
 * compiled policies (pure: no server).
 */
import { compilePolicies, formatUnusedGrants, localRefs, unusedGrants } from '../../src/local/iam';
import { platformNames } from '../../src/platform/names';
import { synthInfraJson, testBundles, type TfJson } from '../infra/support';

const names = platformNames('dev');
const REAL_RUNTIME = `arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/${names.agentRuntime}-Zq9Xw8Vu7T`;
const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
let json: TfJson;

beforeAll(async () => {
  json = synthInfraJson(await testBundles(), { env: 'dev' }).json;
}, 120_000);

describe('localRefs', () => {
  it("puts the runtime ARN the bootstrap created into every runtime-scoped grant (the custom resource's, the API's)", () => {
    // Act
    const policies = compilePolicies(json, { account: '123456789012', region: 'us-east-1', refs: localRefs(json, { agentRuntimeArn: REAL_RUNTIME }) });
    // Assess
    const text = JSON.stringify(policies.roles[roleArn(names.roles.imagePointerFn)]!.identity);
    expect(text).toContain(`"${REAL_RUNTIME}"`);
    expect(text).not.toContain('-a1b2c3d4e5');
    expect(JSON.stringify(policies.roles[roleArn(names.roles.apiFn)]!.identity)).toContain(`${REAL_RUNTIME}/runtime-endpoint/*`);
  });
});

describe('formatUnusedGrants', () => {
  it('lists, per role, each statement action × resource no request used, and leaves out what was used', () => {
    // Prepare
    const policies = compilePolicies(json);
    const pointer = `arn:aws:ssm:us-east-1:123456789012:parameter${names.parameters.imagePointer}`;
    const used = [{ roleArn: roleArn(names.roles.imagePointerFn), action: 'ssm:LabelParameterVersion', resource: pointer }];
    // Act
    const report = formatUnusedGrants(unusedGrants(policies, used));
    // Assess
    const lines = report.split('\n');
    const start = lines.indexOf(`${names.roles.imagePointerFn}:`);
    const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
    const mine = lines.slice(start + 1, end === -1 ? undefined : end);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(mine).toContain(`  handler/ReadPointer: ssm:GetParameter on ${pointer}`);
    expect(mine.filter((l) => l.includes('ssm:LabelParameterVersion'))).toEqual([]);
    expect(formatUnusedGrants([])).toBe('');
  });
});
