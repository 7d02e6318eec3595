/**
 * The runtime layer's pure decisions, without AWS: the rollback default (`lastKnownGood`), reading
 * Terraform state (`parseTerraformState`), the drift verdict (`assessDrift`) and the move plan
 * (`planMove`, `planRestore`): the plan is the program, so its steps are asserted exactly.
 */
import { lastKnownGood, type RuntimeAuditEvent } from '../../src/runtime/audit';
import { planMove, planRestore, type Observation } from '../../src/runtime/plan';
import { assessDrift, parseTerraformState } from '../../src/runtime/verbs/status/drift';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/abca-dev-agent';
const POINTER = '/abca/dev/runtime/image-digest';

function event(at: string, to: string, outcome: RuntimeAuditEvent['outcome'], action: RuntimeAuditEvent['action'] = 'publish'): RuntimeAuditEvent {
  return { stream: 'runtime#dev', event_id: `${at}#0000`, at, action, actor: 't', to_digest: to, outcome };
}

describe('lastKnownGood', () => {
  it('is the newest succeeded digest other than the current one, whatever order the events come in', () => {
    // Prepare
    const events = [
      event('2026-01-01T00:00:01Z', d('a'), 'succeeded'),
      event('2026-01-01T00:00:03Z', d('c'), 'succeeded'),
      event('2026-01-01T00:00:02Z', d('b'), 'succeeded'),
    ];
    // Act + Assess
    expect(lastKnownGood(events, d('c'))).toBe(d('b'));
  });

  it('skips failed, rolled-back, refused and repaired attempts: it is not simply the previous version', () => {
    const events = [
      event('2026-01-01T00:00:01Z', d('a'), 'succeeded'),
      event('2026-01-01T00:00:02Z', d('b'), 'failed'),
      event('2026-01-01T00:00:03Z', d('e'), 'rolled_back'),
      event('2026-01-01T00:00:04Z', d('f'), 'refused'),
      event('2026-01-01T00:00:05Z', d('g'), 'repaired', 'reapply'),
      event('2026-01-01T00:00:06Z', d('c'), 'succeeded'),
    ];
    expect(lastKnownGood(events, d('c'))).toBe(d('a'));
  });

  it('counts a succeeded rollback as good, and has no answer when only the current digest ever succeeded', () => {
    expect(lastKnownGood([event('2026-01-01T00:00:01Z', d('a'), 'succeeded', 'rollback'), event('2026-01-01T00:00:02Z', d('b'), 'succeeded')], d('b'))).toBe(
      d('a'),
    );
    expect(lastKnownGood([event('2026-01-01T00:00:01Z', d('a'), 'succeeded')], d('a'))).toBeUndefined();
    expect(lastKnownGood([], d('a'))).toBeUndefined();
  });
});

describe('parseTerraformState', () => {
  const runtimeAttrs = { agent_runtime_artifact: [{ container_configuration: [{ container_uri: `${REPO}@${d('b')}` }] }] };

  it('reads raw state (resources[].instances[].attributes): the pointer by name, the runtime by its artifact', () => {
    // Prepare
    const state = {
      resources: [
        { type: 'aws_ssm_parameter', instances: [{ attributes: { name: '/abca/dev/platform', insecure_value: '{}' } }] },
        { type: 'aws_ssm_parameter', instances: [{ attributes: { name: POINTER, insecure_value: d('a') } }] },
        { type: 'aws_bedrockagentcore_agent_runtime', instances: [{ attributes: runtimeAttrs }] },
      ],
    };
    // Act + Assess
    expect(parseTerraformState(state, POINTER)).toEqual({ pointerDigest: d('a'), runtimeDigest: d('b') });
  });

  it('reads `terraform show -json` (values.root_module and its child modules)', () => {
    const shown = {
      values: {
        root_module: {
          resources: [{ type: 'aws_ssm_parameter', values: { name: POINTER, value: d('c') } }],
          child_modules: [{ resources: [{ type: 'aws_bedrockagentcore_agent_runtime', values: runtimeAttrs }] }],
        },
      },
    };
    expect(parseTerraformState(shown, POINTER)).toEqual({ pointerDigest: d('c'), runtimeDigest: d('b') });
  });

  it('knows nothing from a state without those resources, or a runtime image pinned by tag', () => {
    expect(parseTerraformState({}, POINTER)).toEqual({});
    const byTag = {
      resources: [
        {
          type: 'aws_bedrockagentcore_agent_runtime',
          instances: [{ attributes: { agent_runtime_artifact: [{ container_configuration: [{ container_uri: `${REPO}:latest` }] }] } }],
        },
      ],
    };
    expect(parseTerraformState(byTag, POINTER).runtimeDigest).toBeUndefined();
  });
});

describe('assessDrift', () => {
  it('finds nothing when pointer, a READY runtime and Terraform agree', () => {
    expect(assessDrift('dev', d('a'), { digest: d('a'), status: 'READY' }, { pointerDigest: d('a'), runtimeDigest: d('a') })).toEqual({
      drift: [],
      notes: [],
      fix: undefined,
    });
  });

  it('names a runtime serving another image, and the publish that fixes it', () => {
    // Act
    const verdict = assessDrift('dev', d('a'), { digest: d('b'), status: 'READY' });
    // Assess
    expect(verdict.drift).toEqual([`runtime serves ${d('b')} on endpoint live but the pointer says ${d('a')}`]);
    expect(verdict.fix).toBe(`tsx scripts/publish-runtime.ts --env dev --image-digest ${d('a')}`);
  });

  it('counts a runtime that is not READY as drift, even on the right image', () => {
    expect(assessDrift('dev', d('a'), { digest: d('a'), status: 'UPDATE_FAILED' }).drift).toEqual(['live endpoint is UPDATE_FAILED, not READY']);
  });

  it('names a moving live endpoint as drift, and DEFAULT on another image only as a note', () => {
    expect(assessDrift('dev', d('a'), { digest: d('a'), status: 'READY', version: '4', targetVersion: '5' }).drift).toEqual([
      'live endpoint is moving: serves version 4, target 5',
    ]);
    const fast = assessDrift('dev', d('a'), { digest: d('a'), status: 'READY', version: '3', targetVersion: '3' }, undefined, {
      version: '5',
      status: 'READY',
      digest: d('b'),
    });
    expect(fast.drift).toEqual([]);
    expect(fast.notes).toHaveLength(1);
  });

  it('lists Terraform differences too; the runtime fix comes first, infra deploy when only state differs', () => {
    const both = assessDrift('dev', d('a'), { digest: d('b'), status: 'READY' }, { pointerDigest: d('c'), runtimeDigest: d('c') });
    expect(both.drift).toHaveLength(3);
    expect(both.fix).toContain('publish-runtime.ts');
    const stateOnly = assessDrift('dev', d('a'), { digest: d('a'), status: 'READY' }, { pointerDigest: d('c') });
    expect(stateOnly.drift).toEqual([`Terraform state has pointer ${d('c')}, SSM has ${d('a')}`]);
    expect(stateOnly.fix).toMatch(/^npx cdktf deploy infra/);
  });
});

describe('planMove', () => {
  const seen = (o: { pointer: string; latest: string; live: string; latestVersion?: string; liveVersion?: string }): Observation => ({
    pointer: { digest: o.pointer, version: 7 },
    latest: { version: o.latestVersion ?? '4', status: 'READY', digest: o.latest },
    live: { liveVersion: o.liveVersion ?? '4', targetVersion: o.liveVersion ?? '4', status: 'READY', digest: o.live },
  });
  const plan = (observed: Observation, to: string, extra: { smokeCmd?: string; existingVersion?: string; action?: 'publish' | 'rollback' | 'reapply' } = {}) =>
    planMove({
      env: 'dev',
      action: extra.action ?? 'publish',
      runtimeId: 'rt',
      observed,
      to,
      smokeCmd: extra.smokeCmd,
      existingVersion: extra.existingVersion,
    });

  it('is a no-op when the pointer and a READY, settled live endpoint already serve the target', () => {
    expect(plan(seen({ pointer: d('a'), latest: d('a'), live: d('a') }), d('a'))).toMatchObject({ noop: true, path: 'none', steps: [], writes: [] });
  });

  it('publishes forward: pointer, new version, canary, smoke, then live last', () => {
    const p = plan(seen({ pointer: d('a'), latest: d('a'), live: d('a') }), d('b'), { smokeCmd: 'true' });
    expect(p.path).toBe('forward');
    expect(p.steps.map((s) => s.kind)).toEqual([
      'write_pointer',
      'update_runtime',
      'wait_version',
      'move_endpoint',
      'smoke',
      'move_endpoint',
      'labels',
      'audit',
    ]);
    expect(p.steps[3]).toEqual({ kind: 'move_endpoint', endpoint: 'canary', version: 'new' });
    expect(p.steps[5]).toEqual({ kind: 'move_endpoint', endpoint: 'live', version: 'new' });
    expect(p.writes).toHaveLength(p.steps.length);
  });

  it('takes the fast path on an existing version: no UpdateAgentRuntime', () => {
    const p = plan(seen({ pointer: d('b'), latest: d('b'), live: d('b'), latestVersion: '5', liveVersion: '5' }), d('a'), {
      existingVersion: '3',
      action: 'rollback',
    });
    expect(p.path).toBe('fast');
    expect(p.steps.some((s) => s.kind === 'update_runtime')).toBe(false);
    expect(p.steps).toContainEqual({ kind: 'move_endpoint', endpoint: 'live', version: { existing: '3' } });
  });

  it('without a smoke command never touches canary', () => {
    const p = plan(seen({ pointer: d('a'), latest: d('a'), live: d('a') }), d('b'));
    expect(p.steps.filter((s) => s.kind === 'move_endpoint')).toEqual([{ kind: 'move_endpoint', endpoint: 'live', version: 'new' }]);
  });
});

describe('planRestore', () => {
  it('undoes only what the failed run did, and never moves live', () => {
    const steps = planRestore({ restoreTo: d('a'), pointerWritten: true, runtimeUpdated: true, canaryMoved: true, liveVersion: '4' });
    expect(steps).toEqual([
      { kind: 'write_pointer', digest: d('a') },
      { kind: 'update_runtime', digest: d('a') },
      { kind: 'wait_version', version: 'new' },
      { kind: 'move_endpoint', endpoint: 'canary', version: { existing: '4' } },
      { kind: 'labels' },
      { kind: 'audit', action: 'restore', outcome: 'succeeded' },
    ]);
    expect(planRestore({ restoreTo: d('a'), pointerWritten: false, runtimeUpdated: false, canaryMoved: false }).map((s) => s.kind)).toEqual([
      'labels',
      'audit',
    ]);
  });
});
