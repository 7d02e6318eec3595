/** What operators and CI run: scripts/promote-runtime.ts and the built bgagent, as child processes. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createClients } from '../../src/aws/clients';
import { readPromotionPolicy } from '../../src/platform/promotion-policy';
import { publishRuntime } from '../../src/runtime';
import { bgagent, useBuiltCli } from '../cli/support';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { bootstrappedRuntime, FAST, pushImage } from './support';

describe('promote through the script and bgagent', () => {
  useMoto();
  useBuiltCli();
  const clients = createClients();
  let a: string;
  let b: string;

  beforeAll(async () => {
    const dev = await bootstrappedRuntime('dev', clients);
    await bootstrappedRuntime('prod', clients, { promoteFrom: ['dev'] });
    await bootstrappedRuntime('qa', clients);
    a = await pushImage(dev, 'a');
    b = await pushImage(dev, 'b');
    await publishRuntime(dev, { imageTag: 'a', smokeCmd: 'true', ...FAST });
    await publishRuntime(dev, { imageTag: 'b', smokeCmd: 'false', ...FAST }).catch(() => undefined);
  });

  it('bootstrap-local.ts --promote-from writes the new environment its promotion policy', async () => {
    const run = await runTsx('scripts/bootstrap-local.ts', ['--env', 'stage', '--promote-from', 'dev, qa', '--quiet']);
    expect(run.code).toBe(0);
    expect(await readPromotionPolicy(clients.ssm, 'stage')).toEqual({ accept_from: ['dev', 'qa'], require_smoke: true });
  });

  it('promote-runtime.ts without --to exits 2 with a usage error', async () => {
    const run = await runTsx('scripts/promote-runtime.ts', ['--from', 'dev', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('promote-runtime.ts --dry-run lists the steps; then a real run promotes what dev serves (A)', async () => {
    // Act
    const dry = await runTsx('scripts/promote-runtime.ts', ['--from', 'dev', '--to', 'prod', '--dry-run']);
    const summary = path.join(mkdtempSync(path.join(tmpdir(), 'promote-')), 'summary.md');
    const refused = await runTsx('scripts/promote-runtime.ts', ['--from', 'dev', '--to', 'prod', '--digest', b], { env: { GITHUB_STEP_SUMMARY: summary } });
    const run = await runTsx('scripts/promote-runtime.ts', ['--from', 'dev', '--to', 'prod', '--smoke-cmd', 'true', '--json', '--poll-interval-ms', '10'], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing written');
    expect(dry.stdout).toContain(`copy ${a}`);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      action: 'promote',
      outcome: 'published',
      from: 'dev',
      to: 'prod',
      digest: a,
      copy: { copied: true },
    });
    // The job summary tells both stories: the refusal and why, then the promotion.
    expect(refused.code).toBe(2);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### ABCA runtime promote — dev → prod: refused (DIGEST_NOT_PROMOTABLE)');
    expect(md).toContain('### ABCA runtime promote — dev → prod: promoted');
    expect(md).toContain(`| digest | \`${a}\` |`);
  });

  it('bgagent runtime promote refuses B (smoke failed in dev) and a source the policy does not list, exit 2', async () => {
    // Act
    const refusedB = await bgagent(['runtime', 'promote', '--from', 'dev', '--to', 'prod', '--digest', b, '--json']);
    const refusedQa = await bgagent(['runtime', 'promote', '--from', 'qa', '--to', 'prod']);
    // Assess
    expect(refusedB.code).toBe(2);
    expect(refusedB.json()).toMatchObject({ ok: false, error: { code: 'DIGEST_NOT_PROMOTABLE' } });
    expect(refusedQa.code).toBe(2);
    expect(refusedQa.errors()).toEqual([expect.stringContaining('accepts only from dev, not from "qa"')]);
  });

  it('bgagent runtime status --all shows every environment side by side, prod running A from dev', async () => {
    // Act
    const run = await bgagent(['runtime', 'status', '--all', '--json']);
    const text = await bgagent(['runtime', 'status', '--all']);
    const script = await runTsx('scripts/runtime-status.ts', ['--all', '--json']);
    // Assess
    expect(run.code).toBe(0);
    const rows = run.json().environments;
    expect(rows.map((r: { env: string }) => r.env)).toEqual(['dev', 'prod', 'qa', 'stage']);
    expect(rows[1]).toMatchObject({ env: 'prod', live: a, pointer: a, inSync: true, promotedFrom: expect.stringMatching(/^dev@v\d+#/) });
    expect(rows[0]).toMatchObject({ env: 'dev', live: a });
    expect(script.code).toBe(0);
    expect(JSON.parse(script.stdout).environments).toEqual(rows);
    expect(text.stdout).toMatch(/ENV\s+LIVE/);
    expect(text.stdout).toMatch(/prod\s+sha256:/);
  });

  it('bgagent runtime history --digest follows the chain: prod, then dev where A was first published', async () => {
    // Act
    const run = await bgagent(['runtime', 'history', '--env', 'prod', '--digest', a, '--json']);
    const text = await bgagent(['runtime', 'history', '--env', 'prod', '--digest', a]);
    // Assess
    expect(run.code).toBe(0);
    expect(run.json().chain).toEqual([
      expect.objectContaining({ env: 'prod', digest: a, outcome: 'succeeded' }),
      expect.objectContaining({ env: 'dev', digest: a, outcome: 'succeeded' }),
    ]);
    expect(text.stdout).toContain('← dev');
    expect(text.stdout).toContain('first published here');
  });
});
