import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { runtimeStatus } from '../../src/runtime';
import { useDataPlane } from '../support/data-plane';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { bootstrappedRuntime, pointerVersions, pushImage } from './support';

describe('runtime scripts', () => {
  useMoto();
  // publish runs the platform's canary check by default: it invokes the new version on canary.
  useDataPlane();

  it('publish --dry-run --json prints the plan and writes nothing', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('scrdry');
    const a = await pushImage(ctx, 'a');
    const versions = (await pointerVersions(ctx)).length;
    // Act
    const run = await runTsx('scripts/publish-runtime.ts', ['--env', 'scrdry', '--image-tag', 'a', '--dry-run', '--json']);
    // Assess
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: true, outcome: 'dry_run', to: a, plan: { noop: false } });
    expect(out.plan.writes.length).toBeGreaterThan(0);
    expect(await pointerVersions(ctx)).toHaveLength(versions);
  });

  it('publish with a malformed digest exits 2 with one clear line and a JSON error', async () => {
    // Prepare
    await bootstrappedRuntime('scrbad');
    // Act
    const run = await runTsx('scripts/publish-runtime.ts', ['--env', 'scrbad', '--image-digest', 'latest', '--json']);
    // Assess
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_DIGEST' } });
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')),
    ).toEqual([expect.stringContaining('INVALID_DIGEST')]);
  });

  it('a crash between pointer write and runtime update: status exits 3 naming the fix, the next publish repairs it', async () => {
    // Prepare: what a run killed after its pointer write leaves behind
    const ctx = await bootstrappedRuntime('scrcrash');
    const b = await pushImage(ctx, 'b');
    await ctx.clients.ssm.send(new PutParameterCommand({ Name: ctx.platform.imagePointerParameter, Value: b, Type: 'String', Overwrite: true }));
    // Act
    const status = await runTsx('scripts/runtime-status.ts', ['--env', 'scrcrash']);
    // Assess
    expect(status.code).toBe(3);
    expect(status.stdout).toContain('DRIFT');
    expect(status.stdout).toContain(`fix:   tsx scripts/publish-runtime.ts --env scrcrash --image-digest ${b}`);
    // Act: the fix it names
    const repair = await runTsx('scripts/publish-runtime.ts', ['--env', 'scrcrash', '--image-digest', b, '--poll-interval-ms', '10']);
    // Assess
    expect(repair.code).toBe(0);
    expect((await runtimeStatus(ctx)).inSync).toBe(true);
    const again = await runTsx('scripts/runtime-status.ts', ['--env', 'scrcrash', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ inSync: true, pointer: { digest: b }, runtime: { digest: b, status: 'READY' } });
  });

  it('status with a Terraform state that lags names Terraform as the side that differs', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('scrtf');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/abca-tf-');
    const stale = `sha256:${'c'.repeat(64)}`;
    writeFileSync(
      `${dir}/show.json`,
      JSON.stringify({
        values: { root_module: { resources: [{ type: 'aws_ssm_parameter', values: { name: ctx.platform.imagePointerParameter, insecure_value: stale } }] } },
      }),
    );
    // Act
    const run = await runTsx('scripts/runtime-status.ts', ['--env', 'scrtf', '--terraform-state', `${dir}/show.json`, '--json']);
    // Assess
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.terraform.pointerDigest).toBe(stale);
    expect(report.drift).toEqual([expect.stringContaining('Terraform state has pointer')]);
  });
});
