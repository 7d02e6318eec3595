import { changeRangeFromEvent, type ChangeRange } from '../../src/ci/github-event';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const ZERO = '0'.repeat(40);

describe('which commits a run compares, from its GitHub event', () => {
  it.each<[string, string, unknown, ChangeRange['kind'], Partial<ChangeRange>]>([
    ['push to main', 'push', { before: A, after: B }, 'diff', { base: A, head: B }],
    ['pull request', 'pull_request', { pull_request: { base: { sha: A }, head: { sha: B } } }, 'diff', { base: A, head: B }],
    ['pull_request_target', 'pull_request_target', { pull_request: { base: { sha: A }, head: { sha: B } } }, 'diff', { base: A, head: B }],
    ['merge queue', 'merge_group', { merge_group: { base_sha: A, head_sha: B } }, 'diff', { base: A, head: B }],
    ['SHA-256 repository', 'push', { before: 'c'.repeat(64), after: 'd'.repeat(64) }, 'diff', { base: 'c'.repeat(64), head: 'd'.repeat(64) }],
    ['first push of a branch (null before)', 'push', { before: ZERO, after: B, created: true }, 'all', {}],
    ['branch deletion', 'push', { before: A, after: ZERO, deleted: true }, 'none', {}],
    ['manual run', 'workflow_dispatch', { inputs: { environment: 'dev' } }, 'all', {}],
    ['schedule', 'schedule', { schedule: '0 0 * * *' }, 'all', {}],
    ['push without commits in the payload', 'push', {}, 'all', {}],
    ['pull request with a malformed SHA', 'pull_request', { pull_request: { base: { sha: 'main' }, head: { sha: B } } }, 'all', {}],
    ['payload that is not an object', 'push', null, 'all', {}],
    ['no event name', '', {}, 'all', {}],
  ])('%s', (_name, eventName, payload, kind, fields) => {
    // Act
    const range = changeRangeFromEvent(eventName, payload);
    // Assess
    expect(range.kind).toBe(kind);
    expect(range).toMatchObject(fields);
    if (range.kind !== 'diff') expect((range as { reason: string }).reason.length).toBeGreaterThan(5);
  });
});
