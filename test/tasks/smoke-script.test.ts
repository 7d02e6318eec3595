/** scripts/smoke-runtime.ts as publish-runtime runs it: a child process, against a real agent. */
import { startAgentServer, type RunningAgent } from '../../agent/src/server';
import { identityChecks } from '../../src/tasks/smoke';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';

const COMMIT = '3f2a1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49';
const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER = `sha256:${'e'.repeat(64)}`;
const SCRIPT = 'scripts/smoke-runtime.ts';

describe('smoke-runtime script', () => {
  useMoto();
  let withDigest: RunningAgent;
  let withoutDigest: RunningAgent;
  beforeAll(async () => {
    withDigest = await startAgentServer({ port: 0, buildInfo: { version: '0.1.0', commit: COMMIT, digest: DIGEST } });
    withoutDigest = await startAgentServer({ port: 0, buildInfo: { version: '0.1.0', commit: COMMIT, digest: null } });
  });
  afterAll(async () => {
    await withDigest.close();
    await withoutDigest.close();
  });

  it('exits 0 when the agent is healthy and reports the expected commit and digest', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'dev', '--expect-commit', COMMIT.slice(0, 7), '--expect-digest', DIGEST, '--json'], { env: { ABCA_AGENT_URL: withDigest.url } });
    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, env: 'dev', invoker: 'http', target: withDigest.url, agent: { version: '0.1.0', commit: COMMIT, digest: DIGEST } });
    expect(report.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['ping', true],
      ['version', true],
      ['commit', true],
      ['digest', true],
    ]);
  });

  it('exits 1 naming the check when another build answers (publish then rolls back)', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'dev', '--expect-commit', 'deadbeefcafe'], { env: { ABCA_AGENT_URL: withDigest.url } });
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('[FAIL] commit');
    expect(run.stdout).toContain('the new image is not the one answering');
    expect(run.stderr).toContain('error: SMOKE_FAILED: smoke check failed: commit');
  });

  it("checks publish-runtime's IMAGE_DIGEST when the agent reports a digest, and skips it when it reports none", async () => {
    // Act
    const mismatch = await runTsx(SCRIPT, ['--env', 'dev', '--json'], { env: { ABCA_AGENT_URL: withDigest.url, IMAGE_DIGEST: OTHER } });
    const skipped = await runTsx(SCRIPT, ['--env', 'dev', '--json'], { env: { ABCA_AGENT_URL: withoutDigest.url, IMAGE_DIGEST: OTHER } });
    // Assess
    expect(mismatch.code).toBe(1);
    expect(JSON.parse(mismatch.stdout)).toMatchObject({ ok: false, error: { code: 'SMOKE_FAILED', details: { failed: ['digest'] } } });
    expect(skipped.code).toBe(0);
    const digest = JSON.parse(skipped.stdout).checks.find((c: { name: string }) => c.name === 'digest');
    expect(digest).toMatchObject({ ok: null, detail: expect.stringContaining('the agent reports no digest') });
  });

  it('exits 1 when the agent cannot be reached', async () => {
    // Prepare
    const gone = await startAgentServer({ port: 0 });
    await gone.close();
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'dev', '--json'], { env: { ABCA_AGENT_URL: gone.url } });
    // Assess
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, checks: [{ name: 'ping', ok: false, detail: expect.stringContaining('AGENT_INVOCATION_FAILED') }] });
  });

  it('exits 2 on a malformed --expect-digest, before invoking anything', async () => {
    // Act
    const run = await runTsx(SCRIPT, ['--env', 'dev', '--expect-digest', 'latest', '--json'], { env: { ABCA_AGENT_URL: 'http://127.0.0.1:9' } });
    // Assess
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_DIGEST' } });
  });

  it('without ABCA_AGENT_URL it goes through AgentCore: an unknown env exits 2, and moto (no data plane) exits 1 with a hint', async () => {
    // Prepare
    const { platform } = await bootstrapLocal({ env: 'smoke' });
    // Act
    const unknown = await runTsx(SCRIPT, ['--env', 'nosuchenv'], { env: { ABCA_AGENT_URL: '' } });
    const moto = await runTsx(SCRIPT, ['--env', 'smoke', '--json'], { env: { ABCA_AGENT_URL: '' } });
    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('UNKNOWN_ENV');
    expect(moto.code).toBe(1);
    const report = JSON.parse(moto.stdout);
    expect(report).toMatchObject({ ok: false, invoker: 'agentcore', target: platform.agentRuntimeArn });
    expect(report.checks[0].detail).toContain('set ABCA_AGENT_URL');
  });
});

describe('smoke identity checks', () => {
  it('an explicit --expect-digest fails on an agent that reports no digest', () => {
    // Act
    const [, digest] = identityChecks({ version: '1', commit: COMMIT, digest: null }, { digest: DIGEST });
    // Assess
    expect(digest).toMatchObject({ name: 'digest', ok: false });
  });

  it('a commit prefix shorter than 7 characters does not match', () => {
    // Act
    const [commit] = identityChecks({ version: '1', commit: COMMIT, digest: null }, { commit: COMMIT.slice(0, 6) });
    // Assess
    expect(commit).toMatchObject({ name: 'commit', ok: false });
  });
});
