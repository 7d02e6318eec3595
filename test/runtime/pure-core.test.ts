/**
 * The runtime layer's pure decisions, without AWS: the rollback default (`lastKnownGood`), reading
 * Terraform state (`parseTerraformState`), the drift verdict (`assessDrift`) and the move plan
 * (`planMove`). Tested as they are today; the runtime rework may reshape them.
 */
import type { LiveRuntime } from '../../src/runtime/agent-runtime';
import { lastKnownGood, type RuntimeAuditEvent } from '../../src/runtime/audit';
import { planMove } from '../../src/runtime/publish';
import { assessDrift, parseTerraformState } from '../../src/runtime/status';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/abca-dev-agent';
const POINTER = '/abca/dev/runtime/image-digest';

function event(at: string, to: string, outcome: RuntimeAuditEvent['outcome'], action: RuntimeAuditEvent['action'] = 'publish'): RuntimeAuditEvent {
  return { stream: 'runtime#dev', event_id: `${at}#0000`, at, action, actor: 't', to_digest: to, outcome };
}

describe('lastKnownGood', () => {
  it('is the newest succeeded digest other than the current one, whatever order the events come in', () => {
    // Prepare
    const events = [event('2026-01-01T00:00:01Z', d('a'), 'succeeded'), event('2026-01-01T00:00:03Z', d('c'), 'succeeded'), event('2026-01-01T00:00:02Z', d('b'), 'succeeded')];
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
    expect(lastKnownGood([event('2026-01-01T00:00:01Z', d('a'), 'succeeded', 'rollback'), event('2026-01-01T00:00:02Z', d('b'), 'succeeded')], d('b'))).toBe(d('a'));
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
    const byTag = { resources: [{ type: 'aws_bedrockagentcore_agent_runtime', instances: [{ attributes: { agent_runtime_artifact: [{ container_configuration: [{ container_uri: `${REPO}:latest` }] }] } }] }] };
    expect(parseTerraformState(byTag, POINTER).runtimeDigest).toBeUndefined();
  });
});

describe('assessDrift', () => {
  it('finds nothing when pointer, a READY runtime and Terraform agree', () => {
    expect(assessDrift('dev', d('a'), { digest: d('a'), status: 'READY' }, { pointerDigest: d('a'), runtimeDigest: d('a') })).toEqual({ drift: [], fix: undefined });
  });

  it('names a runtime serving another image, and the publish that fixes it', () => {
    // Act
    const verdict = assessDrift('dev', d('a'), { digest: d('b'), status: 'READY' });
    // Assess
    expect(verdict.drift).toEqual([`runtime serves ${d('b')} but the pointer says ${d('a')}`]);
    expect(verdict.fix).toBe(`tsx scripts/publish-runtime.ts --env dev --image-digest ${d('a')}`);
  });

  it('counts a runtime that is not READY as drift, even on the right image', () => {
    expect(assessDrift('dev', d('a'), { digest: d('a'), status: 'UPDATE_FAILED' }).drift).toEqual(['runtime is UPDATE_FAILED, not READY']);
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
  const live = (digest: string, status = 'READY'): LiveRuntime =>
    ({ agentRuntimeVersion: '3', status, agentRuntimeArtifact: { containerConfiguration: { containerUri: `${REPO}@${digest}` } }, $metadata: {} }) as LiveRuntime;
  const plan = (pointer: string, running: LiveRuntime, to: string) =>
    planMove({ env: 'dev', action: 'publish', runtimeId: 'rt', pointer: { digest: pointer, version: 7 }, live: running, to, imageUri: `${REPO}@${to}` });

  it('is a no-op when pointer and a READY runtime already serve the target', () => {
    expect(plan(d('a'), live(d('a')), d('a'))).toMatchObject({ noop: true, writes: [], liveDigest: d('a'), pointerVersion: 7 });
  });

  it('writes the pointer, then updates the runtime, for a new digest', () => {
    const p = plan(d('a'), live(d('a')), d('b'));
    expect(p.noop).toBe(false);
    expect(p.writes).toEqual([`SSM ${d('a')} → ${d('b')} (new version of the pointer)`, `UpdateAgentRuntime rt: containerUri → ${REPO}@${d('b')}`, 'labels live/previous, audit event']);
  });

  it('repairs only what differs: the runtime when the pointer is already right, or a runtime that is not READY', () => {
    expect(plan(d('b'), live(d('a')), d('b')).writes[0]).toMatch(/^UpdateAgentRuntime/);
    expect(plan(d('b'), live(d('b'), 'UPDATE_FAILED'), d('b'))).toMatchObject({ noop: false, writes: [expect.stringMatching(/^UpdateAgentRuntime/), 'labels live/previous, audit event'] });
    expect(plan(d('a'), live(d('b')), d('b')).writes).toEqual([`SSM ${d('a')} → ${d('b')} (new version of the pointer)`, 'labels live/previous, audit event']);
  });
});
