/** The doctor's checks as pure functions: each fails with its fault present and passes without it. */
import {
  checkApi,
  checkDnsFirewall,
  checkEndpointsReady,
  checkGuardrails,
  checkMmds,
  checkNode,
  checkPointerLive,
  checkPromotionPolicy,
  checkRoles,
  doctorExit,
  formatDoctor,
  rolesUnchecked,
  type CheckResult,
  type RoleFinding,
} from '../../src/doctor';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import { defaultPromotionPolicy } from '../../src/platform/promotion-policy';

const D = `sha256:${'a'.repeat(64)}`;
const healthy = [
  { endpoint: 'live', status: 'READY', liveVersion: '2', requireMMDSV2: true },
  { endpoint: 'canary', status: 'READY', liveVersion: '2', requireMMDSV2: true },
];

describe('mmdsv2', () => {
  it('passes when live and canary serve versions that require MMDSv2', () => {
    expect(checkMmds('dev', healthy).status).toBe('ok');
  });

  it('fails naming the endpoint and version without it, and the re-apply that fixes it', () => {
    // Act
    const r = checkMmds('dev', [healthy[0]!, { endpoint: 'canary', status: 'READY', liveVersion: '1', requireMMDSV2: false }]);
    // Assess
    expect(r).toMatchObject({ status: 'FAIL', fix: expect.stringContaining('bgagent runtime reapply --env dev') });
    expect(r.why).toContain('canary serves v1 without requireMMDSV2');
    expect(r.why).not.toContain('live serves');
  });

  it('fails when an endpoint could not be read', () => {
    expect(checkMmds('dev', [healthy[0]!, { endpoint: 'canary', error: 'ENDPOINT_NOT_FOUND: no endpoint' }])).toMatchObject({
      status: 'FAIL',
      why: expect.stringContaining('canary: ENDPOINT_NOT_FOUND'),
    });
  });
});

describe('endpoints', () => {
  it('passes when both are READY and fails naming the one that is not', () => {
    expect(checkEndpointsReady('dev', healthy).status).toBe('ok');
    const r = checkEndpointsReady('dev', [healthy[0]!, { ...healthy[1]!, status: 'UPDATING' }]);
    expect(r).toMatchObject({ status: 'FAIL', why: 'canary is UPDATING' });
    expect(r.fix).toContain('bgagent runtime status --env dev');
  });
});

describe('pointer-live', () => {
  it("reports runtime status's drift and fix as its own", () => {
    expect(checkPointerLive({ inSync: true, drift: [], pointer: { digest: D } }).status).toBe('ok');
    const r = checkPointerLive({
      inSync: false,
      drift: ['runtime serves X on endpoint live but the pointer says Y'],
      fix: 'tsx scripts/publish-runtime.ts …',
      pointer: { digest: D },
    });
    expect(r).toEqual({
      name: 'pointer-live',
      status: 'FAIL',
      why: 'runtime serves X on endpoint live but the pointer says Y',
      fix: 'tsx scripts/publish-runtime.ts …',
    });
  });
});

describe('roles', () => {
  const finding = (decision: 'allowed' | 'implicitDeny', action = 'ssm:GetParameter'): RoleFinding => ({
    component: 'imagePointer',
    roleArn: 'arn:aws:iam::123456789012:role/abca-dev-image-pointer-fn',
    action,
    resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/abca/dev/runtime/image-digest',
    context: {},
    answer: decision === 'allowed' ? { decision } : { decision, reason: 'no identity-based policy allows it' },
  });

  it('passes when every request is allowed, and fails naming the component, role and action refused', () => {
    expect(checkRoles([finding('allowed')], 'the local IAM engine').status).toBe('ok');
    const r = checkRoles([finding('allowed'), finding('implicitDeny', 'ssm:LabelParameterVersion')], 'the local IAM engine');
    expect(r.status).toBe('FAIL');
    expect(r.why).toContain('imagePointer (abca-dev-image-pointer-fn) may not ssm:LabelParameterVersion');
    expect(r.fix).toContain('cdktf deploy infra');
  });

  it('only warns when there is no simulator', () => {
    expect(rolesUnchecked('no simulator').status).toBe('warn');
  });
});

describe('dns-firewall', () => {
  it('passes only when the list is COMPLETE', () => {
    expect(checkDnsFirewall('rslvr-fdl-1', { status: 'COMPLETE' }).status).toBe('ok');
    expect(checkDnsFirewall('rslvr-fdl-1', { status: 'UPDATING' })).toMatchObject({ status: 'FAIL', why: expect.stringContaining('UPDATING') });
    expect(checkDnsFirewall('rslvr-fdl-1', { status: 'COMPLETE_IMPORT_FAILED', statusMessage: 'bad domain' })).toMatchObject({
      status: 'FAIL',
      why: 'list rslvr-fdl-1 is COMPLETE_IMPORT_FAILED (bad domain)',
    });
    expect(checkDnsFirewall('rslvr-fdl-1', { error: 'ResourceNotFoundException: gone' }).status).toBe('FAIL');
  });

  it('warns where there is no list (local mode) or no status', () => {
    expect(checkDnsFirewall('', undefined).status).toBe('warn');
    expect(checkDnsFirewall('rslvr-fdl-1', {}).status).toBe('warn');
  });
});

describe('guardrails and promotion policy', () => {
  it("validate with their readers' schemas", () => {
    expect(checkGuardrails('/abca/dev/guardrails', JSON.stringify(DEFAULT_GUARDRAILS)).status).toBe('ok');
    expect(checkGuardrails('/abca/dev/guardrails', '{"max_repos": -1}')).toMatchObject({ status: 'FAIL', why: expect.stringContaining('max_repos') });
    expect(checkGuardrails('/abca/dev/guardrails', 'not json').status).toBe('FAIL');
    expect(checkGuardrails('/abca/dev/guardrails', undefined).status).toBe('FAIL');
    expect(checkPromotionPolicy('/abca/dev/promotion-policy', JSON.stringify(defaultPromotionPolicy('dev'))).status).toBe('ok');
    expect(checkPromotionPolicy('/abca/dev/promotion-policy', '{"accept_from": "dev"}')).toMatchObject({
      status: 'FAIL',
      why: expect.stringContaining('accept_from'),
    });
    expect(checkPromotionPolicy('/abca/dev/promotion-policy', undefined).status).toBe('FAIL');
  });
});

describe('api', () => {
  it('passes when the OpenAPI document comes back, fails on an error, a non-200 or another body', () => {
    const url = 'https://x.example/v1/openapi.json';
    expect(checkApi({ url, status: 200, openapi: '3.1.0' }).status).toBe('ok');
    expect(checkApi({ url, error: 'no answer within 5000 ms' })).toMatchObject({ status: 'FAIL', why: `${url}: no answer within 5000 ms` });
    expect(checkApi({ url, status: 502 }).status).toBe('FAIL');
    expect(checkApi({ url, status: 200 }).status).toBe('FAIL');
  });
});

describe('node', () => {
  it('warns under Node 22 (SDK releases after January 2027 need it), passes on 22 and later', () => {
    expect(checkNode('v20.19.0')).toMatchObject({ status: 'warn', why: expect.stringContaining('January 2027') });
    expect(checkNode('v22.12.0').status).toBe('ok');
    expect(checkNode('v24.1.0').status).toBe('ok');
  });
});

describe('the exit code and the lines', () => {
  const c = (status: CheckResult['status']): CheckResult => ({ name: 'x', status, why: 'y' });

  it('is 0 with warnings only and 3 when anything fails', () => {
    expect(doctorExit([c('ok'), c('warn')])).toBe(0);
    expect(doctorExit([c('ok'), c('FAIL'), c('warn')])).toBe(3);
  });

  it('prints one line per check, and the fix under a failing one', () => {
    const text = formatDoctor('dev', [c('ok'), { name: 'api', status: 'FAIL', why: 'down', fix: 'npm run dev' }]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('dev: 1 check(s) FAILED');
    expect(lines[1]).toBe('ok    x    y');
    expect(lines[2]).toMatch(/^FAIL {2}api {2}down$/);
    expect(lines[3]).toContain('fix: npm run dev');
  });
});
