/**
 * Each verb defines its flags once (src/runtime/verbs/<verb>/options.ts): the scripts and `bgagent runtime …`
 * offer the same ones, parse them the same way, and both put --ci-run-url into the audit.
 */
import { listAudit, publishRuntime } from '../../src/runtime';
import { createClients } from '../../src/aws/clients';
import { bgagent, tempConfigDir, useBuiltCli } from '../cli/support';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { bootstrappedRuntime, FAST, pushImage } from './support';

const flagsIn = (help: string) => [...new Set(help.match(/--[a-z][a-z-]+/g) ?? [])].filter((f) => f !== '--help').sort();

describe('runtime verbs: scripts and bgagent share one definition', () => {
  useMoto();
  useBuiltCli();

  it.each([
    ['publish', 'scripts/publish-runtime.ts'],
    ['rollback', 'scripts/rollback-runtime.ts'],
    ['status', 'scripts/runtime-status.ts'],
  ])('%s: the script and bgagent list the same flags', async (verb, script) => {
    // Act
    const [fromScript, fromCli] = await Promise.all([runTsx(script, ['--help']), bgagent(['runtime', verb, '--help'])]);
    // Assess
    expect(fromScript.code).toBe(0);
    expect(fromCli.code).toBe(0);
    const optionsPart = (help: string) => help.slice(help.indexOf('Options:'), help.search(/\n(Examples?:|Exit:)/));
    expect(flagsIn(optionsPart(fromCli.stdout))).toEqual(flagsIn(optionsPart(fromScript.stdout)));
    expect(flagsIn(optionsPart(fromScript.stdout))).toContain('--env');
  });

  it('both refuse a bad --poll-interval-ms the same way (exit 2, VALIDATION_ERROR), before anything runs', async () => {
    // Act
    const [fromScript, fromCli] = await Promise.all([
      runTsx('scripts/rollback-runtime.ts', ['--env', 'verbs', '--poll-interval-ms', 'soon', '--json']),
      bgagent(['runtime', 'rollback', '--env', 'verbs', '--poll-interval-ms', 'soon', '--json']),
    ]);
    // Assess
    for (const run of [fromScript, fromCli]) {
      expect(run.code).toBe(2);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    }
  });

  it('the rollback script and bgagent rollback both record the CI run URL in the audit', async () => {
    // Prepare
    const clients = createClients();
    const ctx = await bootstrappedRuntime('verbs', clients);
    const a = await pushImage(ctx, 'a');
    const b = await pushImage(ctx, 'b');
    await publishRuntime(ctx, { imageDigest: a, ...FAST });
    await publishRuntime(ctx, { imageDigest: b, ...FAST });
    const gh = { GITHUB_RUN_ID: '42', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'org/abca', GITHUB_SHA: 'f00dfeed' };
    // Act
    const script = await runTsx('scripts/rollback-runtime.ts', ['--env', 'verbs', '--to-digest', a, '--poll-interval-ms', '10', '--json'], { env: gh });
    const cli = await bgagent(
      ['runtime', 'rollback', '--env', 'verbs', '--to-digest', b, '--ci-run-url', 'https://ci.example/run/7', '--poll-interval-ms', '10', '--json'],
      {
        env: { BGAGENT_CONFIG_DIR: tempConfigDir() },
      },
    );
    // Assess
    expect(script.code).toBe(0);
    expect(cli.code).toBe(0);
    const [byCli, byScript] = await listAudit(ctx);
    expect(byScript).toMatchObject({ action: 'rollback', to_digest: a, ci_run_url: 'https://github.com/org/abca/actions/runs/42', git_commit: 'f00dfeed' });
    expect(byCli).toMatchObject({ action: 'rollback', to_digest: b, ci_run_url: 'https://ci.example/run/7' });
  });
});
