/**
 * One Cedar policy must not break Cedar for everyone: a deeply nested policy overflows the WASM
 * engine's stack and corrupts the instance ("memory access out of bounds" on every later check in
 * that process). Bounded before the engine, answered 422, and the engine rebuilt after a failure.
 */
import { cedarEngineBuilds, checkCedarPolicy, CEDAR_MAX_NESTING } from '../../src/repos/cedar';
import { useApi } from './support';

const harness = useApi({ env: 'cedar', provision: false });
type ErrorReply = { error: { code: string; message: string } };

/** 2 KB: 1,000 nested parentheses. */
const POISON = `permit(principal, action, resource) when { ${'('.repeat(1000)}true${')'.repeat(1000)} };`;
const VALID = 'permit(principal, action, resource) when { context.branch == "main" };';

describe('Cedar poison policy', () => {
  it('answers the poison policy 422, then takes a valid one (onboarding and PATCH), in the same process', async () => {
    // Prepare
    const h = harness();
    // Act
    const poisoned = await h.call<ErrorReply>('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'cedar/a', cedar_policies: [POISON] } });
    const valid = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'cedar/a', cedar_policies: [VALID] } });
    const patchPoison = await h.call<ErrorReply>('PATCH', '/v1/repos/cedar/a', { token: h.adminToken, body: { cedar_policies: [VALID, POISON] } });
    const patchValid = await h.call('PATCH', '/v1/repos/cedar/a', {
      token: h.adminToken,
      body: { cedar_policies: [VALID, 'forbid(principal, action, resource);'] },
    });
    const unparsable = await h.call<ErrorReply>('PATCH', '/v1/repos/cedar/a', { token: h.adminToken, body: { cedar_policies: ['permit(principal'] } });
    // Assess
    expect([poisoned.status, valid.status, patchPoison.status, patchValid.status, unparsable.status]).toEqual([422, 201, 422, 200, 400]);
    expect(poisoned.body.error).toMatchObject({
      code: 'CEDAR_POLICY_UNPROCESSABLE',
      message: expect.stringContaining(`deeper than ${CEDAR_MAX_NESTING} levels`),
    });
    expect(unparsable.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('treats an engine failure as that request’s problem and builds a new engine for the next check', () => {
    // Prepare: no bound, so the poison reaches (and corrupts) the engine.
    const unbounded = { maxBytes: 1_000_000, maxNesting: 1_000_000 };
    const before = cedarEngineBuilds();
    // Act
    const failed = checkCedarPolicy(POISON, unbounded);
    const next = checkCedarPolicy(VALID);
    const again = checkCedarPolicy(VALID);
    // Assess
    expect(failed).toMatchObject({ ok: false, unprocessable: true, errors: [expect.stringContaining('the Cedar engine could not check this policy')] });
    expect(next).toEqual({ ok: true });
    expect(again).toEqual({ ok: true });
    expect(cedarEngineBuilds()).toBe(before + 1);
  });

  it('skips strings and comments when measuring nesting', () => {
    const quoted = `permit(principal, action, resource) when { context.note == "${'('.repeat(200)}" }; // ${'['.repeat(200)}`;
    expect(checkCedarPolicy(quoted)).toEqual({ ok: true });
  });
});
