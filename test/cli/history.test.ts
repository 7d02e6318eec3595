/** `runtime history`: SSM versions joined with the audit table, and the publisher's description format. */
import { joinHistory, parseDescription } from '../../src/cli/history';
import type { RuntimeAuditEvent } from '../../src/runtime/audit';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('runtime history join', () => {
  const event = (over: Partial<RuntimeAuditEvent>): RuntimeAuditEvent => ({
    stream: 'runtime#dev',
    event_id: `${over.at}#0000`,
    at: '2025-01-01T00:00:00.000Z',
    action: 'publish',
    actor: 'ci',
    to_digest: digest('a'),
    outcome: 'succeeded',
    ...over,
  });

  it('joins SSM versions with their audit, newest first; versions without one fall back to the description', () => {
    // Prepare
    const versions = [
      {
        Version: 1,
        Value: digest('0'),
        Labels: [],
        Description: 'bootstrap: first image',
        LastModifiedDate: new Date('2025-01-01T00:00:00Z'),
        LastModifiedUser: 'arn:x',
      },
      {
        Version: 2,
        Value: digest('a'),
        Labels: ['previous'],
        Description: 'by=ci; action=publish; commit=abc',
        LastModifiedDate: new Date('2025-01-02T00:00:00Z'),
      },
      {
        Version: 3,
        Value: digest('b'),
        Labels: ['live'],
        Description: 'by=bob@local; action=publish; from=x; commit=def; reason=hotfix',
        LastModifiedDate: new Date('2025-01-03T00:00:00Z'),
      },
    ];
    const events = [
      event({ at: '2025-01-02T00:00:05.000Z', pointer_version: 2, git_commit: 'abc', actor: 'github:alice@acme/abca' }),
      event({ at: '2025-01-05T00:00:00.000Z', action: 'reapply', pointer_version: 2, outcome: 'repaired', actor: 'cr' }),
    ];
    // Act
    const entries = joinHistory(versions, events);
    // Assess
    expect(entries.map((e) => [e.version, e.action, e.actor, e.git_commit, e.outcome, e.events.length])).toEqual([
      [3, 'publish', 'bob@local', 'def', undefined, 0],
      [2, 'publish', 'github:alice@acme/abca', 'abc', 'succeeded', 2],
      [1, undefined, 'arn:x', undefined, undefined, 0],
    ]);
    expect(entries[0]).toMatchObject({ at: '2025-01-03T00:00:00.000Z', reason: 'hotfix', labels: ['live'], in_ssm: true });
  });

  it('lists audit events whose version aged out of SSM, and attempts that never wrote a version', () => {
    // Prepare: SSM holds only version 150; the audit remembers 7 and a refused attempt
    const versions = [{ Version: 150, Value: digest('c'), Labels: ['live'], LastModifiedDate: '2025-03-01T00:00:00.000Z' }];
    const events = [
      event({ at: '2025-01-01T00:00:00.000Z', pointer_version: 7, to_digest: digest('7'), git_commit: 'old' }),
      event({ at: '2025-02-01T00:00:00.000Z', to_digest: digest('r'), outcome: 'refused', error: 'LOCK_HELD: held by ci' }),
      event({ at: '2025-03-01T00:00:01.000Z', pointer_version: 150, to_digest: digest('c') }),
    ];
    // Act
    const entries = joinHistory(versions, events);
    // Assess
    expect(entries.map((e) => [e.version, e.digest, e.in_ssm, e.outcome])).toEqual([
      [150, digest('c'), true, 'succeeded'],
      [undefined, digest('r'), false, 'refused'],
      [7, digest('7'), false, 'succeeded'],
    ]);
    expect(entries[1]!.error).toBe('LOCK_HELD: held by ci');
    expect(joinHistory(versions, events, 2)).toHaveLength(2);
  });

  it('parses the publisher description format', () => {
    // Act / Assess
    expect(parseDescription('by=a@b; action=rollback; from=sha256:1; reason=x=y')).toEqual({ by: 'a@b', action: 'rollback', from: 'sha256:1', reason: 'x=y' });
    expect(parseDescription(undefined)).toEqual({});
  });
});
