/**
 * npm run dev — the whole control plane on this machine, no AWS account: moto, the bootstrapped
 * platform, the AgentCore data plane (agents start per session), the API, the task reconciler loop
 * and a local admin user (src/local/control-plane.ts), plus
 * `.abca/local/env.sh` so another terminal can talk to it. Ctrl-C stops everything.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Command } from 'commander';
import { runMain } from '../src/cli-support/run-main';
import { startControlPlane, type ControlPlane } from '../src/local/control-plane';
import { resolveEnv } from '../src/platform/names';

const program = new Command()
  .name('dev')
  .description('Run the ABCA control plane locally: moto, the bootstrapped platform, the AgentCore data plane, the API and the reconciler, on loopback')
  .option('--env <env>', 'environment name (default: $ABCA_ENV or dev)')
  .option('--port <port>', 'port the local API listens on (127.0.0.1; 0: any free port)', '8787')
  .option('--agent-step-ms <ms>', "how long each step of the agent's plan takes (make tasks run a while)", '0')
  .option('--agent-cmd <command>', 'run this shell command (from the project root, with PORT) as the agent of every image, instead of agent/')
  .option('--state-dir <dir>', 'where the env file, admin credentials and API log go', path.resolve(__dirname, '..', '.abca', 'local'))
  .option('--no-iam', "don't enforce IAM (each component still acts as its role, but nothing is refused): to debug the emulator only")
  .addHelpText('after', '\nExample:\n  npm run dev                 # then, in another terminal: source .abca/local/env.sh\n');

runMain(async () => {
  const opts = program.parse().opts<{ env?: string; port: string; stateDir: string; agentStepMs: string; iam: boolean; agentCmd?: string }>();
  const env = resolveEnv(opts.env);
  const say = (line: string) => process.stdout.write(`${line}\n`);

  // The local agent reports this checkout's commit, as the image reports the commit it was built from.
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' }).stdout?.trim() || undefined;
  const starting: Promise<ControlPlane> = startControlPlane({
    env,
    agentCommit: commit,
    agentStepMs: Number.isFinite(Number(opts.agentStepMs)) && Number(opts.agentStepMs) >= 0 ? Number(opts.agentStepMs) : 0,
    port: Number(opts.port),
    portFallback: program.getOptionValueSource('port') === 'default',
    stateDir: opts.stateDir,
    iam: opts.iam,
    // Every IAM decision, for "why was this refused?" (docs/local-mode.md).
    iamLog: path.join(opts.stateDir, 'iam-decisions.jsonl'),
    ...(opts.agentCmd ? { agentCommand: opts.agentCmd } : {}),
    say,
  });
  // A signal during start-up stops whatever has started by then.
  const shutdown = async (signal: string) => {
    say(`\n${signal}: stopping the API, the data plane and its agents, and moto…`);
    await starting.then((p) => p.stop()).catch(() => undefined);
    say('stopped; nothing left running.');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  const plane = await starting;
  const envFile = path.relative(process.cwd(), path.join(opts.stateDir, 'env.sh')) || path.join(opts.stateDir, 'env.sh');
  say(`API on ${plane.api.url} (logs in ${path.join(opts.stateDir, 'api.log')})`);
  say(`AgentCore data plane on ${plane.dataPlane.endpoint}; AWS emulator on ${plane.moto.endpoint} (moto pid ${plane.moto.pid})`);
  say('');
  say('Next, in another terminal:');
  say(`  source ${envFile}`);
  say(`  npx bgagent configure --env ${env}`);
  say(
    `  node -p "require('./${path.relative(process.cwd(), path.join(opts.stateDir, 'admin.json'))}').password" | npx bgagent login --username admin --password-stdin`,
  );
  say('  npx bgagent repo onboard acme/widgets --wait');
  say('  npx bgagent submit --repo acme/widgets --description "Fix the flaky test" --watch');
  say(`  npx bgagent runtime status --env ${env}`);
  say(`Admin user: ${plane.admin.username} (password in ${path.join(opts.stateDir, 'admin.json')})`);
  say(`Console: ${plane.api.url}/console/ (sign in as ${plane.admin.username} with that password)`);
  say('ready — Ctrl-C to stop');
  // Stay in the foreground until a signal arrives: the servers' handles are unref'd.
  setInterval(() => undefined, 60_000);
  await new Promise<never>(() => undefined);
});
