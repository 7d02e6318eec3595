/**
 * npm run demo — the operator story, end to end, on the local control plane, through the real
 * `bgagent` binary: onboard two repositories, list them, publish image A, publish B, publish C
 * whose smoke check fails (restored to B automatically), roll back to A, show the history and the
 * status, promote A into a second environment (`prod`, beside it in the same emulator) with the
 * same digest while C and a source the policy does not accept are refused, submit a task and
 * watch it complete, and see a removed repository refused with 422.
 *
 * It runs against `npm run dev` when one is up (.abca/local/env.sh answers), else it starts its own
 * control plane and stops it at the end. Exit 0 only if every step did what it said.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { buildCli } from './build-cli';
import { createClients } from '../src/aws/clients';
import { runMain } from '../src/cli-support/run-main';
import { OperationFailedError } from '../src/errors';
import { startControlPlane, type ControlPlane } from '../src/local/control-plane';
import { componentSession, credentialEnv } from '../src/local/iam/sessions';
import { bootstrapLocal } from '../src/local/bootstrap';
import { pushLocalImage } from '../src/local/images';
import { loadPlatformConfig } from '../src/platform/platform-config';
import { assertEnvName } from '../src/platform/names';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'bgagent.js');
/** The build the local agent reports; image C's smoke check expects another one. */
const RUNNING_COMMIT = 'a11ce00';
const C_COMMIT = 'c0ffee0';

const program = new Command()
  .name('demo')
  .description('Run the operator story against the local control plane (its own, or a running `npm run dev`)')
  .option('--env <env>', 'environment for a control plane of its own', 'demo')
  .option('--state-dir <dir>', 'where a running `npm run dev` keeps env.sh and admin.json', path.join(ROOT, '.abca', 'local'))
  .option('--standalone', 'always start a control plane of its own, even when `npm run dev` is up')
  .addHelpText('after', '\nExample:\n  npm run demo\n\nExit: 0 only if every step did what it said; 1 otherwise (the failing step is named)\n');

type Vars = Record<string, string>;
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const short = (d: string) => `${d.slice(0, 19)}…`;

/** A running `npm run dev`, if its env file names an API that answers. */
async function attachToDev(stateDir: string): Promise<{ vars: Vars; password: string } | undefined> {
  const envFile = path.join(stateDir, 'env.sh');
  if (!existsSync(envFile)) return undefined;
  const vars = Object.fromEntries([...readFileSync(envFile, 'utf8').matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  if (!vars.ABCA_API_URL || !vars.AWS_ENDPOINT_URL) return undefined;
  try {
    const res = await fetch(`${vars.ABCA_API_URL}/v1/openapi.json`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return undefined;
  } catch {
    return undefined;
  }
  const { password } = JSON.parse(readFileSync(path.join(stateDir, 'admin.json'), 'utf8')) as { password: string };
  return { vars, password };
}

/**
 * `bgagent runtime <verb>` on one environment runs as that environment's publisher role, as CI runs
 * it (configure-aws-credentials gives the job the role's session); `--all` and everything else keep
 * the operator's own credentials.
 */
async function credentialsFor(vars: Vars, args: string[]): Promise<Vars> {
  if (args[0] !== 'runtime' || args.includes('--all')) return {};
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const target = flag('--to') ?? flag('--env');
  if (!target || !vars.AWS_ENDPOINT_URL || !vars.AWS_ACCESS_KEY_ID || !vars.AWS_SECRET_ACCESS_KEY) return {};
  const session = await componentSession(vars.AWS_ENDPOINT_URL, target, 'publisher', {
    credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY },
  });
  return credentialEnv(session);
}

async function bgagent(vars: Vars, args: string[], input?: string): Promise<Run> {
  const credentials = await credentialsFor(vars, args);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...vars, ...credentials, CI: 'true' }, timeout: 120_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function json<T = Record<string, unknown>>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout, got: ${run.stdout.slice(0, 200)}${run.stderr ? ` (stderr: ${run.stderr.trim().split('\n').pop()})` : ''}`);
  }
}

function expectCode(run: Run, code: number, what: string): void {
  if (run.code !== code)
    throw new Error(
      `${what}: exit ${run.code}, expected ${code}: ${
        run.stderr
          .trim()
          .split('\n')
          .filter((l) => !/^\d\d:\d\d:\d\d /.test(l))
          .pop() ?? ''
      }`,
    );
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

runMain(async () => {
  const opts = program.parse().opts<{ env: string; stateDir: string; standalone?: boolean }>();
  const started = Date.now();
  let step = 0;
  let plane: ControlPlane | undefined;
  const configDir = mkdtempSync(path.join(tmpdir(), 'abca-demo-'));
  const run = async (title: string, body: () => Promise<string>) => {
    step++;
    const t0 = Date.now();
    say(`\n${step}. ${title}`);
    try {
      const detail = await body();
      say(`   ✓ ${detail} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      say(`   ✗ ${(e as Error).message}`);
      throw new OperationFailedError(`demo step ${step} failed: ${title}`, 'DEMO_FAILED');
    }
  };

  try {
    // The binary the operator runs: bundled for a fast start (bin/bgagent.js falls back to the sources).
    await buildCli();
    const dev = opts.standalone ? undefined : await attachToDev(opts.stateDir);
    let vars: Vars;
    let password: string;
    let env: string;
    // Names unique to this run, so the demo can run again against the same `npm run dev`.
    const run_id = randomBytes(2).toString('hex');
    if (dev) {
      vars = { ...dev.vars };
      // This process pushes the images itself: it needs the same emulator as everyone else.
      Object.assign(process.env, vars, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
      delete process.env.AWS_PROFILE;
      password = dev.password;
      env = assertEnvName(vars.ABCA_ENV ?? 'dev');
      say(`using the running control plane (npm run dev): API ${vars.ABCA_API_URL}, env "${env}"`);
    } else {
      env = assertEnvName(opts.env);
      plane = await startControlPlane({ env, port: 0, agentCommit: RUNNING_COMMIT, say: (l) => say(l) });
      vars = { ...plane.vars };
      password = plane.admin.password;
      say(`control plane up: API ${plane.api.url}, AgentCore data plane ${plane.dataPlane.endpoint}, moto ${plane.moto.endpoint}`);
    }
    vars.BGAGENT_CONFIG_DIR = configDir;
    const web = `acme/web-${run_id}`;
    const api = `acme/api-${run_id}`;
    const images: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

    await run('configure the CLI from the environment name, and sign in as the local admin', async () => {
      expectCode(await bgagent(vars, ['configure', '--env', env, '--json']), 0, 'configure');
      const login = await bgagent(vars, ['login', '--username', 'admin', '--password-stdin', '--json'], `${password}\n`);
      expectCode(login, 0, 'login');
      return `signed in to ${vars.ABCA_API_URL}`;
    });

    await run(`onboard two repositories (${web}, ${api}) with one API call each, no deploy`, async () => {
      for (const [repo, extra] of [
        [web, ['--max-turns', '40']],
        [api, ['--egress-allowlist', 'registry.npmjs.org,*.pypi.org', '--build-command', 'npm ci && npm test']],
      ] as const) {
        const out = await bgagent(vars, ['repo', 'onboard', repo, ...extra, '--wait', '--timeout', '60', '--json']);
        expectCode(out, 0, `onboard ${repo}`);
        const row = json<{ status: string }>(out);
        check(row.status === 'active', `${repo} is ${row.status}, not active`);
      }
      return 'both active';
    });

    await run('list repositories', async () => {
      const out = await bgagent(vars, ['repo', 'list', '--status', 'active', '--json']);
      expectCode(out, 0, 'repo list');
      const listed = json<{ items: { repo: string }[] }>(out).items.map((r) => r.repo);
      check(
        [web, api].every((r) => listed.includes(r)),
        `list shows ${listed.join(', ')}`,
      );
      return `${listed.length} active: ${[web, api].join(', ')} among them`;
    });

    await run('CI builds three agent images (A, B, C) and pushes them to the platform ECR repository', async () => {
      const clients = createClients();
      const platform = plane?.platform ?? (await loadPlatformConfig(clients.ssm, env));
      for (const k of ['a', 'b', 'c'] as const) images[k] = await pushLocalImage(clients.ecr, platform.ecrRepositoryName, `demo-${k}-${run_id}`);
      return `A ${short(images.a)}  B ${short(images.b)}  C ${short(images.c)}`;
    });

    const smoke = (extra = '') => `npx tsx scripts/smoke-runtime.ts --env ${env}${extra}`;
    for (const k of ['a', 'b'] as const) {
      await run(`publish image ${k.toUpperCase()} (pointer, UpdateAgentRuntime, that version READY, smoke through canary, then live moves)`, async () => {
        const out = await bgagent(vars, [
          'runtime',
          'publish',
          '--env',
          env,
          '--image-tag',
          `demo-${k}-${run_id}`,
          '--smoke-cmd',
          smoke(),
          '--reason',
          `demo: release ${k.toUpperCase()}`,
          '--json',
        ]);
        expectCode(out, 0, 'publish');
        const r = json<{ outcome: string; to: string; pointerVersion: number; runtimeVersion: string; executed: { kind: string; endpoint?: string }[] }>(out);
        check(r.outcome === 'published' && r.to === images[k], `outcome ${r.outcome}, to ${r.to}`);
        const order = r.executed.map((s) => (s.endpoint ? `${s.kind}:${s.endpoint}` : s.kind)).join(' ');
        check(
          /move_endpoint:canary canary_check:canary smoke:canary move_endpoint:live/.test(order),
          `steps ran as ${order}: live must move only after the canary check and smoke`,
        );
        return `live: ${short(r.to)} on runtime version ${r.runtimeVersion} (pointer version ${r.pointerVersion}); canary smoked first`;
      });
    }

    await run(`publish image C, whose smoke check expects build ${C_COMMIT} to answer: it fails on canary, live never moves, B is restored`, async () => {
      const before = json<{ runtime: { version: string } }>(await bgagent(vars, ['runtime', 'status', '--env', env, '--json'])).runtime.version;
      const out = await bgagent(vars, [
        'runtime',
        'publish',
        '--env',
        env,
        '--image-tag',
        `demo-c-${run_id}`,
        '--smoke-cmd',
        smoke(` --expect-commit ${C_COMMIT}`),
        '--json',
      ]);
      expectCode(out, 1, 'publish C');
      const err = json<{ error: { code: string; details?: { liveMoved?: boolean } } }>(out).error;
      check(err.code === 'ROLLED_BACK', `error ${err.code}, expected ROLLED_BACK`);
      check(err.details?.liveMoved === false, 'the failed publish says live moved');
      const status = json<{ inSync: boolean; pointer: { digest: string }; runtime: { digest: string; version: string } }>(
        await bgagent(vars, ['runtime', 'status', '--env', env, '--json']),
      );
      check(
        status.inSync && status.pointer.digest === images.b && status.runtime.digest === images.b,
        `after the failed publish: pointer ${status.pointer.digest}, live serves ${status.runtime.digest}`,
      );
      check(status.runtime.version === before, `live moved from version ${before} to ${status.runtime.version}`);
      return `exit 1 ROLLED_BACK; live untouched on version ${before} (B ${short(images.b)}); pointer back on B`;
    });

    await run('roll back to the last known good image (skips the current B and the failed C: A), on the fast path', async () => {
      const out = await bgagent(vars, ['runtime', 'rollback', '--env', env, '--reason', 'demo: back to A', '--json']);
      expectCode(out, 0, 'rollback');
      const r = json<{ to: string; from: string; path: string; runtimeVersion: string; executed: { kind: string }[] }>(out);
      check(r.to === images.a && r.from === images.b, `rolled back from ${r.from} to ${r.to}`);
      check(r.path === 'fast' && !r.executed.some((s) => s.kind === 'update_runtime'), `rollback took the ${r.path} path`);
      return `live: A ${short(r.to)} on its existing runtime version ${r.runtimeVersion}, no UpdateAgentRuntime, no container start`;
    });

    await run('show the deploy history: every pointer version with who, when and the outcome', async () => {
      const out = await bgagent(vars, ['runtime', 'history', '--env', env, '--limit', '5', '--json']);
      expectCode(out, 0, 'history');
      const entries = json<{ entries: { digest: string; action?: string; outcome?: string }[] }>(out).entries;
      const story = entries.map((e) => `${e.action}:${e.outcome}:${e.digest}`);
      const expected = [
        `rollback:succeeded:${images.a}`,
        `restore:succeeded:${images.b}`,
        `publish:rolled_back:${images.c}`,
        `publish:succeeded:${images.b}`,
        `publish:succeeded:${images.a}`,
      ];
      check(JSON.stringify(story) === JSON.stringify(expected), `history reads ${story.join(' | ')}`);
      return 'rollback A ← restore B ← publish C (rolled back) ← publish B ← publish A';
    });

    await run('runtime status: the pointer and what live serves agree', async () => {
      const out = await bgagent(vars, ['runtime', 'status', '--env', env, '--json']);
      expectCode(out, 0, 'status');
      const s = json<{ inSync: boolean; runtime: { digest: string; status: string }; latest: { digest: string; version: string } }>(out);
      check(s.inSync && s.runtime.digest === images.a && s.runtime.status === 'READY', `status ${JSON.stringify(s)}`);
      return `in sync on A, live READY; DEFAULT (latest version ${s.latest.version}) still serves ${s.latest.digest === images.a ? 'A' : 'B'}, which nothing user-facing invokes`;
    });

    // A second environment beside the first, in the same emulator: what CI's promote-runtime.yml does.
    const target = env === 'prod' ? 'prodcopy' : 'prod';
    await run(`promote A to ${target} (a second environment): the same digest copied into its repository, smoked, live; the chain recorded`, async () => {
      await bootstrapLocal({ env: target, apiUrl: 'http://127.0.0.1:9', promoteFrom: [env] });
      const out = await bgagent(vars, [
        'runtime',
        'promote',
        '--from',
        env,
        '--to',
        target,
        '--smoke-cmd',
        `npx tsx scripts/smoke-runtime.ts --env ${target}`,
        '--json',
      ]);
      expectCode(out, 0, 'promote');
      const r = json<{ digest: string; outcome: string }>(out);
      check(r.digest === images.a && ['published', 'noop'].includes(r.outcome), `promoted ${r.digest} (${r.outcome}), expected A`);
      const all = json<{ environments: { env: string; live?: string }[] }>(await bgagent(vars, ['runtime', 'status', '--all', '--json']));
      const live = Object.fromEntries(all.environments.map((e) => [e.env, e.live]));
      check(live[env] === images.a && live[target] === images.a, `status --all: ${env} ${live[env]}, ${target} ${live[target]}`);
      const chain = json<{ chain: { env: string }[] }>(await bgagent(vars, ['runtime', 'history', '--env', target, '--digest', images.a, '--json'])).chain.map(
        (l) => l.env,
      );
      check(chain.join(',') === `${target},${env}`, `chain ${chain.join(' ← ')}`);
      return `${target} live on A ${short(images.a)}, chain ${target} ← ${env}`;
    });

    await run(
      `refused before any write: promoting C (its smoke failed in ${env}), and promoting from ${target} into ${env} (its policy accepts no source)`,
      async () => {
        const c = await bgagent(vars, ['runtime', 'promote', '--from', env, '--to', target, '--digest', images.c, '--json']);
        expectCode(c, 2, 'promote C');
        const cCode = json<{ error: { code: string } }>(c).error.code;
        check(cCode === 'DIGEST_NOT_PROMOTABLE', `promote C: ${cCode}`);
        const back = await bgagent(vars, ['runtime', 'promote', '--from', target, '--to', env, '--json']);
        expectCode(back, 2, `promote ${target} → ${env}`);
        const backCode = json<{ error: { code: string } }>(back).error.code;
        check(backCode === 'PROMOTION_NOT_ALLOWED', `promote back: ${backCode}`);
        return 'exit 2 DIGEST_NOT_PROMOTABLE, exit 2 PROMOTION_NOT_ALLOWED';
      },
    );

    await run(`submit a task to ${web} and watch it complete`, async () => {
      const submitted = await bgagent(vars, ['submit', '--repo', web, '--description', 'Fix the flaky date test in utils/date.spec.ts', '--json']);
      expectCode(submitted, 0, 'submit');
      const task = json<{ task_id: string }>(submitted);
      const watched = await bgagent(vars, ['task', 'watch', task.task_id, '--timeout', '60', '--json']);
      expectCode(watched, 0, 'task watch');
      const done = json<{ status: string }>(watched);
      check(done.status === 'COMPLETED', `task ended ${done.status}`);
      return `task ${task.task_id} COMPLETED`;
    });

    await run(`remove ${api}; a task for it is refused with 422 REPO_NOT_ONBOARDED`, async () => {
      const removed = await bgagent(vars, ['repo', 'remove', api, '--json']);
      expectCode(removed, 0, 'repo remove');
      check(json<{ status: string }>(removed).status === 'removed', 'not removed');
      const refused = await bgagent(vars, ['submit', '--repo', api, '--description', 'Should not run', '--json']);
      expectCode(refused, 2, 'submit to a removed repository');
      const code = json<{ error: { code: string } }>(refused).error.code;
      check(code === 'REPO_NOT_ONBOARDED', `error ${code}`);
      return 'exit 2, REPO_NOT_ONBOARDED (HTTP 422)';
    });

    say(`\nAll ${step} steps did what they said, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    // The workshop console (docs/console.md): the same loop in the browser. Local, throwaway credentials.
    say(
      dev
        ? `Console: ${vars.ABCA_API_URL}/console/ (user admin, password ${password})`
        : 'Console: run "npm run dev" and open the printed http://127.0.0.1:<port>/console/ (user admin, password in .abca/local/admin.json)',
    );
  } finally {
    await plane?.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
});
