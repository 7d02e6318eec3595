/** The history's rules as values: what an event records, settings at a version, revert patches. */
import type { ConfigAuditEvent } from '../../src/audit/events';
import { compactForAudit } from '../../src/audit/changes';
import { repoChange, revertPatch, settingsAtVersion } from '../../src/repos/history';
import { onboardedRow, patchedRow, removedRow } from '../../src/repos/rows';
import type { RepoConfig } from '../../src/repos/repo-config';

const T = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n));
let seq = 0;
function event(action: ConfigAuditEvent['action'], before: RepoConfig | undefined, after: RepoConfig, lifecycle = false): ConfigAuditEvent {
  const c = repoChange(before, after, lifecycle);
  return {
    stream: 'repos#t',
    event_id: `${T(++seq).toISOString()}#0000`,
    at: '',
    action,
    actor: 'user:t',
    subject: after.repo,
    version: after.version,
    ...c,
    before: compactForAudit(c.before),
    after: compactForAudit(c.after),
  };
}

describe('settings at a version', () => {
  it('walks back updates, a removal and a restore to any version', () => {
    // Prepare: v1 onboard, v2 patch, v3 remove, v4 restore with other settings, v5 patch
    const v1 = onboardedRow({ repo: 'a/b', max_turns: 5, build_command: 'make' }, T(1));
    const v2 = patchedRow(v1, { max_turns: 6, lint_command: 'lint' }, T(2)).row;
    const v3 = removedRow(v2, T(3));
    const v4 = onboardedRow({ repo: 'a/b', max_turns: 9 }, T(4), v3);
    const v5 = patchedRow(v4, { model_id: 'm' }, T(5)).row;
    const events = [
      event('onboard', undefined, v1, true),
      event('update', v1, v2),
      event('remove', v2, v3, true),
      event('restore', v3, v4, true),
      event('update', v4, v5),
    ];
    // Act
    const at = [1, 2, 3, 4, 5].map((v) => settingsAtVersion(v5, events, v).settings);
    // Assess
    expect(at[0]).toMatchObject({ max_turns: 5, build_command: 'make' });
    expect(at[0]).not.toHaveProperty('lint_command');
    expect(at[1]).toMatchObject({ max_turns: 6, build_command: 'make', lint_command: 'lint' });
    expect(at[2]).toEqual(at[1]);
    expect(at[3]).toMatchObject({ max_turns: 9 });
    expect(at[3]).not.toHaveProperty('build_command');
    expect(at[4]).toMatchObject({ max_turns: 9, model_id: 'm' });
    expect(() => settingsAtVersion(v5, events, 6)).toThrow(expect.objectContaining({ code: 'REPO_VERSION_NOT_FOUND' }));
    expect(() => settingsAtVersion(v5, events.slice(2), 1)).toThrow(/does not reach back to version 1/);
  });

  it('keeps a secret reference as it is now, and refuses to revert a value kept only as its digest', () => {
    // Prepare
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:abca/t/github-token/a/b';
    const v1 = onboardedRow({ repo: 'a/b', cedar_policies: ['p'.repeat(9000)] }, T(1));
    const v2 = patchedRow(v1, { github_token_secret_arn: arn, max_turns: 7 }, T(2)).row;
    const v3 = patchedRow(v2, { github_token_secret_arn: `${arn}-2`, max_turns: 8 }, T(3)).row;
    const v4 = patchedRow(v3, { cedar_policies: [] }, T(4)).row;
    const events = [event('onboard', undefined, v1, true), event('update', v1, v2), event('update', v2, v3), event('update', v3, v4)];
    // Act
    const toV1 = revertPatch(v2, settingsAtVersion(v2, events.slice(0, 2), 1));
    const toV2 = revertPatch(v3, settingsAtVersion(v3, events.slice(0, 3), 2));
    // Assess: no token at version 1 is known (cleared); version 2's token reference is not (kept)
    expect(JSON.stringify(events)).not.toContain(arn);
    expect(toV1).toEqual({ patch: { max_turns: 100, github_token_secret_arn: null }, kept: [] });
    expect(toV2).toEqual({ patch: { max_turns: 7 }, kept: ['github_token_secret_arn'] });
    expect(() => revertPatch(v4, settingsAtVersion(v4, events, 3))).toThrow(expect.objectContaining({ code: 'REVERT_IMPOSSIBLE' }));
  });
});
