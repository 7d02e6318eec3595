import { defaultPromotionPolicy, parsePromotionPolicy, policyRefusal } from '../../src/platform/promotion-policy';
import type { RuntimeAuditEvent } from '../../src/runtime/audit';
import { promotedTag } from '../../src/runtime/ecr-copy';
import { promotionEligibility } from '../../src/runtime/verbs/promote';
import { promoteOptionsFromFlags } from '../../src/runtime/verbs/promote/options';
import { formatPromotedFrom, parsePromotedFrom } from '../../src/runtime/promoted-from';
import { planMove, type Observation } from '../../src/runtime/plan';

const A = `sha256:${'a'.repeat(64)}`;
const ev = (at: string, e: Partial<RuntimeAuditEvent>): RuntimeAuditEvent => ({
  stream: 'runtime#dev',
  event_id: `2026-12-01T${at}Z#00000000`,
  at: `2026-12-01T${at}Z`,
  actor: 'x',
  action: 'publish',
  to_digest: A,
  outcome: 'succeeded',
  ...e,
});

describe('promotion policy', () => {
  it('defaults to prod ← staging ← dev, and promoteFrom replaces the convention', () => {
    expect(defaultPromotionPolicy('prod')).toEqual({ accept_from: ['staging'], require_smoke: true });
    expect(defaultPromotionPolicy('staging').accept_from).toEqual(['dev']);
    expect(defaultPromotionPolicy('dev').accept_from).toEqual([]);
    expect(defaultPromotionPolicy('prod', ['dev']).accept_from).toEqual(['dev']);
    expect(() => defaultPromotionPolicy('prod', ['Bad Env'])).toThrow(expect.objectContaining({ code: 'INVALID_ENV' }));
  });

  it('parses with defaults and refuses unknown keys and bad JSON, naming the parameter', () => {
    expect(parsePromotionPolicy('{"accept_from":["dev"]}', 'p')).toEqual({ accept_from: ['dev'], require_smoke: true });
    expect(() => parsePromotionPolicy('{"accept_form":["dev"]}', '/abca/prod/promotion-policy')).toThrow(
      expect.objectContaining({ code: 'PROMOTION_POLICY_INVALID' }),
    );
    expect(() => parsePromotionPolicy('{', '/abca/prod/promotion-policy')).toThrow('/abca/prod/promotion-policy is not valid JSON');
  });

  it('refuses a source not listed, and an env promoting into itself', () => {
    const policy = { accept_from: ['staging'], require_smoke: true };
    expect(policyRefusal(policy, 'staging', 'prod')).toBeUndefined();
    expect(policyRefusal(policy, 'dev', 'prod')).toBe('the promotion policy of "prod" (/abca/prod/promotion-policy) accepts only from staging, not from "dev"');
    expect(policyRefusal({ ...policy, accept_from: ['prod'] }, 'prod', 'prod')).toContain('into itself');
  });
});

describe('promotionEligibility', () => {
  const smoke = { require_smoke: true };

  it('a digest whose newest publish succeeded with its smoke passed is eligible, naming that event', () => {
    const events = [ev('10:00:00', { smoke: 'passed', pointer_version: 3 }), ev('09:00:00', { outcome: 'rolled_back' })];
    expect(promotionEligibility('dev', events, A, smoke)).toEqual({ ok: true, event: events[0] });
  });

  it('the newest publish decides: a later failed smoke makes an earlier success ineligible', () => {
    const events = [ev('09:00:00', { smoke: 'passed' }), ev('10:00:00', { outcome: 'rolled_back', error: 'SMOKE_FAILED: smoke command exited 1' })];
    const result = promotionEligibility('dev', events, A, smoke);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('ended rolled_back: SMOKE_FAILED') });
  });

  it('refused attempts, restores and rollbacks do not count; without any publish it is never published', () => {
    const events = [ev('11:00:00', { outcome: 'refused' }), ev('10:00:00', { action: 'restore' }), ev('09:00:00', { action: 'rollback' })];
    expect(promotionEligibility('dev', events, A, smoke)).toEqual({ ok: false, reason: expect.stringContaining('never published in "dev"') });
    expect(promotionEligibility('dev', [...events, ev('08:00:00', { smoke: 'passed' })], A, smoke).ok).toBe(true);
  });

  it('a publish without a smoke check is refused under require_smoke and accepted without it', () => {
    const events = [ev('10:00:00', { smoke: 'skipped' })];
    expect(promotionEligibility('dev', events, A, smoke)).toEqual({ ok: false, reason: expect.stringContaining('ran no smoke check (smoke: skipped)') });
    expect(promotionEligibility('dev', events, A, { require_smoke: false }).ok).toBe(true);
    expect(promotionEligibility('dev', [ev('10:00:00', {})], A, smoke)).toEqual({ ok: false, reason: expect.stringContaining('not recorded') });
  });

  it('other digests are ignored', () => {
    expect(promotionEligibility('dev', [ev('10:00:00', { to_digest: `sha256:${'b'.repeat(64)}`, smoke: 'passed' })], A, smoke).ok).toBe(false);
  });
});

describe('promoted_from in the pointer description', () => {
  it('round-trips', () => {
    const p = { env: 'dev', pointer_version: 7, event_id: '2026-12-01T20:00:00.000Z#1a2b3c4d' };
    expect(formatPromotedFrom(p)).toBe('dev@v7#2026-12-01T20:00:00.000Z#1a2b3c4d');
    expect(parsePromotedFrom(formatPromotedFrom(p))).toEqual(p);
    expect(parsePromotedFrom('junk')).toBeUndefined();
  });
});

describe('promotedTag', () => {
  it('is a valid ECR tag, unique per source and digest', () => {
    const tag = promotedTag('staging', A);
    expect(tag).toBe(`promoted-staging-${'a'.repeat(32)}`);
    expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    expect(promotedTag('dev', A)).not.toBe(tag);
  });
});

describe('promoteOptionsFromFlags', () => {
  it('shares the applying verbs’ flags: commit and CI run from flags, else from GitHub Actions', () => {
    // Prepare
    const ci = { GITHUB_SHA: 'abc1234', GITHUB_RUN_ID: '9', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r' };
    // Act
    const fromCi = promoteOptionsFromFlags({ from: 'staging', to: 'prod', pollIntervalMs: '10' }, ci);
    const given = promoteOptionsFromFlags({ from: 'staging', to: 'prod', digest: A, gitCommit: 'def5678', ciRunUrl: 'https://ci/1' }, ci);
    // Assess
    expect(fromCi).toMatchObject({
      from: 'staging',
      to: 'prod',
      options: { gitCommit: 'abc1234', ciRunUrl: 'https://github.com/o/r/actions/runs/9', pollIntervalMs: 10 },
    });
    expect(given.options).toMatchObject({ digest: A, gitCommit: 'def5678', ciRunUrl: 'https://ci/1' });
    expect(() => promoteOptionsFromFlags({ from: 'staging' }, {})).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => promoteOptionsFromFlags({ from: 'staging', to: 'prod', pollIntervalMs: '-1' }, {})).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('the promotion plan', () => {
  const B = `sha256:${'b'.repeat(64)}`;
  const observed = (inRepository: boolean, live = B): Observation => ({
    pointer: { digest: live, version: 4 },
    latest: { version: '3', status: 'READY', digest: live },
    live: { liveVersion: '3', status: 'READY', digest: live },
    image: { inRepository },
  });
  const copyFrom = { env: 'dev', repository: 'abca-dev-agent', into: 'abca-prod-agent', tag: promotedTag('dev', A) };
  const plan = (o: Observation) => planMove({ env: 'prod', action: 'publish', runtimeId: 'rt', observed: o, to: A, smokeCmd: 'true', copyFrom });

  it('copies the image first when the target repository lacks it, then publishes as usual', () => {
    // Act
    const p = plan(observed(false));
    // Assess
    expect(p.steps.map((s) => s.kind)).toEqual([
      'copy_image',
      'write_pointer',
      'update_runtime',
      'wait_version',
      'move_endpoint',
      'smoke',
      'move_endpoint',
      'labels',
      'audit',
    ]);
    expect(p.steps[0]).toEqual({
      kind: 'copy_image',
      digest: A,
      from: { env: 'dev', repository: 'abca-dev-agent' },
      into: 'abca-prod-agent',
      tag: copyFrom.tag,
    });
    expect(p.writes[0]).toBe(`copy ${A} from ECR abca-dev-agent into abca-prod-agent (same digest, tag ${copyFrom.tag}; missing blobs only)`);
  });

  it('copies nothing when the target already holds the image, and is a no-op only when nothing needs a copy', () => {
    // Act
    const present = plan(observed(true));
    const live = plan(observed(true, A));
    const liveButMissing = plan(observed(false, A));
    // Assess
    expect(present.steps.some((s) => s.kind === 'copy_image')).toBe(false);
    expect(present.steps[0]).toEqual({ kind: 'write_pointer', digest: A });
    expect(live).toMatchObject({ noop: true, steps: [] });
    expect(liveButMissing.noop).toBe(false);
    expect(liveButMissing.steps[0]).toMatchObject({ kind: 'copy_image' });
  });
});
