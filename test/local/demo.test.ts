/**
 * `npm run demo` is the README's first command: the whole operator story through the real binary,
 * on a control plane of its own. It must exit 0 with every step ticked, and leave nothing running.
 */
import { runTsx } from '../support/run';

describe('npm run demo (scripts/demo.ts)', () => {
  it('runs every step of the operator story and stops its control plane', async () => {
    // Act
    const run = await runTsx('scripts/demo.ts', ['--standalone', '--env', 'demotest'], { timeoutMs: 420_000, env: { AWS_ENDPOINT_URL: '' } });
    // Assess (the demo's own output says which step failed, if one did)
    if (run.code !== 0) process.stderr.write(`${run.stdout}\n${run.stderr}\n`);
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.code).toBe(0);
    const ticked = run.stdout.split('\n').filter((l) => l.trim().startsWith('✓'));
    expect(run.stdout).not.toContain('✗');
    expect(ticked).toHaveLength(14);
    expect(run.stdout).toMatch(/All 14 steps did what they said/);
    expect(run.stdout).toContain('ROLLED_BACK');
    expect(run.stdout).toContain('REPO_NOT_ONBOARDED');
    expect(run.stdout).toContain('DIGEST_NOT_PROMOTABLE');
    expect(run.stdout).toContain('PROMOTION_NOT_ALLOWED');
    const moto = /moto (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout)?.[1];
    expect(moto).toBeDefined();
    await expect(fetch(`${moto}/moto-api/data.json`)).rejects.toThrow();
  }, 450_000);
});
