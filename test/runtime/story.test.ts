/**
 * The application layer's whole story in one run, against moto: bootstrap, publish A, publish B,
 * a failed smoke on C rolls back to B, rollback to A, status in sync — and SSM's history, its
 * labels and the audit table tell exactly that story.
 */
import { listAudit, publishRuntime, rollbackRuntime, runtimeStatus } from '../../src/runtime';
import { useMoto } from '../support/moto';
import { BOOTSTRAP_ACTOR, bootstrappedRuntime, FAST, pointerVersions, pushImage } from './support';

describe('publish / rollback story', () => {
  useMoto();

  it('A, B, failed C restored to B, rollback to A: pointer history, labels and audit agree', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('story');
    const boot = (await runtimeStatus(ctx)).pointer;
    const [a, b, c] = [await pushImage(ctx, 'a'), await pushImage(ctx, 'b'), await pushImage(ctx, 'c')];

    // Act
    const pubA = await publishRuntime(ctx, { imageTag: 'a', reason: 'release a', gitCommit: 'aaa111', ...FAST });
    const pubB = await publishRuntime(ctx, { imageTag: 'b', reason: 'release b', gitCommit: 'bbb222', ...FAST });
    const failC = await publishRuntime(ctx, { imageTag: 'c', smokeCmd: 'test "$IMAGE_DIGEST" != "' + c + '"', gitCommit: 'ccc333', ...FAST }).catch((e) => e);
    const back = await rollbackRuntime(ctx, { toDigest: a, reason: 'back to a', ...FAST });
    const status = await runtimeStatus(ctx);

    // Assess: what each step said
    expect(pubA).toMatchObject({ outcome: 'published', from: boot.digest, to: a });
    expect(pubB).toMatchObject({ outcome: 'published', from: a, to: b });
    expect(failC).toMatchObject({ code: 'ROLLED_BACK', exitCode: 1 });
    expect(back).toMatchObject({ action: 'rollback', outcome: 'published', from: b, to: a, path: 'fast' });
    expect(status).toMatchObject({ inSync: true, pointer: { digest: a }, runtime: { digest: a, status: 'READY' }, drift: [] });

    // Assess: SSM history is the deploy history, labels on the newest two moves only
    const versions = await pointerVersions(ctx);
    expect(versions.map((v) => v.Value)).toEqual([boot.digest, a, b, c, b, a]);
    expect(versions.map((v) => v.Version)).toEqual([1, 2, 3, 4, 5, 6]);
    const labelled = versions.filter((v) => (v.Labels ?? []).length > 0).map((v) => [v.Version, v.Labels]);
    expect(labelled).toEqual([
      [5, ['previous']],
      [6, ['live']],
    ]);
    expect(versions[3]!.Description).toContain('commit=ccc333');
    expect(versions[4]!.Description).toContain('action=restore');

    // Assess: the audit table, oldest first (after bootstrap's own re-apply, as the stack's after Terraform)
    const audit = (await listAudit(ctx)).reverse().filter((e) => e.actor !== BOOTSTRAP_ACTOR);
    expect(audit.map((e) => [e.action, e.from_digest, e.to_digest, e.outcome])).toEqual([
      ['publish', boot.digest, a, 'succeeded'],
      ['publish', a, b, 'succeeded'],
      ['publish', b, c, 'rolled_back'],
      ['restore', c, b, 'succeeded'],
      ['rollback', b, a, 'succeeded'],
    ]);
    expect(audit.map((e) => e.pointer_version)).toEqual([2, 3, 4, 5, 6]);
    expect(audit[0]).toMatchObject({ git_commit: 'aaa111', reason: 'release a', actor: 'tester@test' });
    expect(audit[2]!.error).toContain('SMOKE_FAILED');
    expect(audit[2]).toMatchObject({ live_moved: false });
    expect(audit[4]).toMatchObject({ path: 'fast', live_moved: true });
    expect(audit.every((e) => e.runtime_version !== undefined)).toBe(true);
  });
});
