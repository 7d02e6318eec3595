/**
 * The local AWS emulator: moto server on a free loopback port, started and stopped by pid.
 * Used by the test setup, `npm run dev` and the benches.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { OperationFailedError } from '../errors';
// Types only: the engine (and the policy simulator it loads) is imported when enforcement is on.
import type { CompiledPolicies, IamProxy, StackSource } from './iam';

export interface MotoServer {
  /** Where clients send: moto itself, or the IAM enforcement proxy in front of it. */
  endpoint: string;
  pid: number;
  /** moto's own endpoint (the same as `endpoint` when IAM is not enforced). */
  motoEndpoint: string;
  /** The enforcement point, when IAM is enforced. */
  iam?: IamProxy;
  stop(): Promise<void>;
}

/**
 * IAM enforcement (docs/local-mode.md): on when policies are given, else off. `policies` is the
 * synthesized stack (cdk.tf.json), a compiled policy file, or compiled policies;
 * ABCA_IAM_POLICIES / ABCA_IAM_LOG give the same from the environment.
 */
export interface IamOptions {
  /** Policies known from the start (one environment, or a test's hand-made set). */
  policies?: CompiledPolicies | string;
  /**
   * Every environment's synthesized stack: its policies are compiled the first time one of its
   * roles is assumed, and again once its runtime exists (docs/local-mode.md).
   */
  stack?: StackSource;
  /** Append every decision to this file as a JSON line. */
  decisionLog?: string;
}

function iamFromEnv(env: NodeJS.ProcessEnv): IamOptions | undefined {
  if (!env.ABCA_IAM_POLICIES) return undefined;
  return { policies: env.ABCA_IAM_POLICIES, ...(env.ABCA_IAM_LOG ? { decisionLog: env.ABCA_IAM_LOG } : {}) };
}

const LAUNCHER = path.join(__dirname, 'moto_abca.py');

function python(): string {
  return process.env.PYTHON ?? 'python3';
}

function motoImportable(): boolean {
  return spawnSync(python(), ['-c', 'import moto.server, flask, flask_cors'], { stdio: 'ignore' }).status === 0;
}

/** Installs moto[server] with pip only where it is missing; one clear line if that fails. */
export function ensureMoto(log: (line: string) => void = () => {}): void {
  if (motoImportable()) return;
  log("moto server not found; installing 'moto[server]' with pip");
  const pip = spawnSync(python(), ['-m', 'pip', 'install', '--quiet', 'moto[server]'], { encoding: 'utf8' });
  if (pip.status !== 0 || !motoImportable()) {
    const why = (pip.stderr || pip.stdout || '').trim().split('\n').pop() ?? 'unknown error';
    throw new OperationFailedError(
      `cannot start the AWS emulator: moto[server] is not installed and "${python()} -m pip install 'moto[server]'" failed (${why})`,
      'MOTO_MISSING',
    );
  }
}

/** Starts moto on 127.0.0.1 with an OS-chosen port and resolves once it answers. */
export async function startMoto(opts: { timeoutMs?: number; log?: (line: string) => void; iam?: IamOptions } = {}): Promise<MotoServer> {
  ensureMoto(opts.log);
  const iam = opts.iam ?? iamFromEnv(process.env);
  // Compile first: a policy IAM would refuse fails before anything starts.
  const engine = iam ? await import('./iam') : undefined;
  const authorizer = iam && engine ? await engine.authorizerFor(iam.policies ?? engine.noPolicies()) : undefined;
  const environments = iam?.stack && engine ? new engine.Environments(iam.stack, { account: engine.ACCOUNT, region: engine.REGION }) : undefined;
  const child = spawn(python(), [LAUNCHER, '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const pid = child.pid;
  if (!pid) throw new OperationFailedError('cannot start the AWS emulator: python3 did not start', 'MOTO_START_FAILED');
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new OperationFailedError(`moto server did not start within ${opts.timeoutMs ?? 30000} ms: ${output.slice(-300)}`, 'MOTO_START_FAILED'));
    }, opts.timeoutMs ?? 30000);
    const onData = (buf: Buffer) => {
      output += buf.toString();
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new OperationFailedError(`moto server exited (${code}) before answering: ${output.slice(-300)}`, 'MOTO_START_FAILED'));
    });
  });
  // Keep draining its request log so the pipe never fills and blocks moto.
  child.stdout.resume();
  child.stderr.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint, opts.timeoutMs ?? 30000);
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  if (!authorizer || !engine) return { endpoint, pid, motoEndpoint: endpoint, stop: () => stopPid(pid) };
  const proxy = await engine.startIamProxy({
    target: endpoint,
    authorizer,
    ...(environments ? { environments } : {}),
    ...(iam?.decisionLog ? { decisionLog: iam.decisionLog } : {}),
  });
  return {
    endpoint: proxy.endpoint,
    pid,
    motoEndpoint: endpoint,
    iam: proxy,
    stop: async () => {
      await proxy.close();
      await stopPid(pid);
    },
  };
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new OperationFailedError(`moto at ${endpoint} did not answer`, 'MOTO_START_FAILED');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a process with this pid still exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM, then SIGKILL if the process is still there after a grace period. */
export async function stopPid(pid: number, graceMs = 3000): Promise<void> {
  const alive = () => isAlive(pid);
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(pid, 'SIGKILL');
}

/** Forgets every resource in the emulator (between test suites). */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new OperationFailedError(`moto reset failed: HTTP ${res.status}`, 'MOTO_RESET_FAILED');
}

/**
 * How long moto keeps an updated AgentCore runtime in UPDATING (needs moto_abca.py):
 * 0 = READY at the next read.
 */
export async function setRuntimeUpdateDelay(endpoint: string, seconds: number): Promise<void> {
  await setTransition(endpoint, 'bedrock-agentcore-control::agent_runtime', seconds);
}

/**
 * How long an AgentCore endpoint stays UPDATING (liveVersion old, targetVersion new) after it is
 * moved, including DEFAULT after each UpdateAgentRuntime (needs moto_abca.py): 0 = moved at the
 * next read. Applies to every endpoint of this emulator.
 */
export async function setEndpointUpdateDelay(endpoint: string, seconds: number): Promise<void> {
  await setTransition(endpoint, 'bedrock-agentcore-control::agent_runtime_endpoint', seconds);
}

/** moto's state manager: how long a model stays in its transient state (0 = done at the next read). */
async function setTransition(endpoint: string, model: string, seconds: number): Promise<void> {
  const transition = seconds <= 0 ? { progression: 'immediate' } : { progression: 'time', seconds };
  const res = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, { method: 'POST', body: JSON.stringify({ model_name: model, transition }) });
  if (!res.ok) throw new OperationFailedError(`moto set-transition failed: HTTP ${res.status}`, 'MOTO_CONFIG_FAILED');
}

/** The runtime's next UpdateAgentRuntime ends UPDATE_FAILED with this failureReason (needs moto_abca.py). */
export async function failNextRuntimeUpdate(endpoint: string, agentRuntimeId: string, reason = 'update failed (emulator fault injection)'): Promise<void> {
  const res = await fetch(`${endpoint}/_abca/agentcore/fail-next-update`, { method: 'POST', body: JSON.stringify({ agentRuntimeId, reason }) });
  if (!res.ok) throw new OperationFailedError(`emulator fail-next-update failed: HTTP ${res.status}`, 'MOTO_CONFIG_FAILED');
}

/**
 * Eventual consistency (needs moto_abca.py): the version the runtime's next UpdateAgentRuntime
 * creates answers GetAgentRuntime of that version with ResourceNotFoundException for `calls` reads
 * and/or `seconds`, as a freshly created AWS version briefly can.
 */
export async function hideNextRuntimeVersion(endpoint: string, agentRuntimeId: string, hide: { calls?: number; seconds?: number }): Promise<void> {
  const res = await fetch(`${endpoint}/_abca/agentcore/hide-next-version`, { method: 'POST', body: JSON.stringify({ agentRuntimeId, ...hide }) });
  if (!res.ok) throw new OperationFailedError(`emulator hide-next-version failed: HTTP ${res.status}`, 'MOTO_CONFIG_FAILED');
}

/** What an AgentCore endpoint serves now (its liveVersion), as the emulator's data plane routes it. */
export interface ServedVersion {
  version: string;
  containerUri?: string;
  config: Record<string, unknown>;
}

/** undefined when the runtime or endpoint does not exist, or has no live version yet (needs moto_abca.py). */
export async function servedVersion(endpoint: string, runtimeArn: string, qualifier = 'DEFAULT'): Promise<ServedVersion | undefined> {
  const url = `${endpoint}/_abca/agentcore/resolve?runtime=${encodeURIComponent(runtimeArn)}&qualifier=${encodeURIComponent(qualifier)}`;
  const res = await fetch(url);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new OperationFailedError(`emulator resolve failed: HTTP ${res.status}`, 'MOTO_CONFIG_FAILED');
  return (await res.json()) as ServedVersion;
}

function isLoopbackUrl(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

const shown = (value: string) => (value.length > 200 ? `${value.slice(0, 200)}…` : value);

/**
 * Loopback only: local tooling must never write to a real AWS endpoint. Checks `endpoint`
 * (AWS_ENDPOINT_URL) and the rest of what the SDK honours from the environment: every
 * `AWS_ENDPOINT_URL_<SERVICE>` must be loopback too, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * (which makes the SDK ignore them all) must not be set. `assertLoopbackClients` then checks the
 * endpoint each client actually resolves (config files included).
 */
export function assertLoopbackEndpoint(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (!endpoint) {
    throw new OperationFailedError('AWS_ENDPOINT_URL is not set: local tools only write to a local emulator on loopback', 'NOT_LOOPBACK');
  }
  try {
    new URL(endpoint);
  } catch {
    throw new OperationFailedError(`AWS_ENDPOINT_URL "${shown(endpoint)}" is not a URL`, 'NOT_LOOPBACK');
  }
  if (!isLoopbackUrl(endpoint)) {
    throw new OperationFailedError(`refusing AWS_ENDPOINT_URL "${shown(endpoint)}": not a loopback address`, 'NOT_LOOPBACK');
  }
  const ignore = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').trim().toLowerCase();
  if (ignore && ignore !== 'false') {
    throw new OperationFailedError(
      'refusing AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: it makes every client ignore AWS_ENDPOINT_URL and call AWS itself',
      'NOT_LOOPBACK',
    );
  }
  for (const [name, value] of Object.entries(env)) {
    if (!/^AWS_ENDPOINT_URL_[A-Z0-9_]+$/.test(name) || !value) continue;
    if (!isLoopbackUrl(value)) throw new OperationFailedError(`refusing ${name} "${shown(value)}": not a loopback address`, 'NOT_LOOPBACK');
  }
  return endpoint;
}

/** What an SDK v3 client exposes about its endpoint (smithy's resolveEndpointConfig). */
export interface EndpointConfiguredClient {
  config: {
    serviceId?: string;
    endpoint?: () => Promise<{ protocol?: string; hostname?: string; port?: number; path?: string }>;
    serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  };
}

/**
 * The endpoint a client sends to, resolved as the SDK does before each command: the client's own
 * `endpoint`, else the configured one (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the config
 * file's services section; none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set). Undefined:
 * AWS's own endpoint for the region.
 */
export async function resolvedEndpoint(client: EndpointConfiguredClient): Promise<string | undefined> {
  if (client.config.endpoint) {
    const e = await client.config.endpoint();
    return `${e.protocol ?? 'https:'}//${e.hostname ?? ''}${e.port ? `:${e.port}` : ''}${e.path ?? ''}`;
  }
  return (await client.config.serviceConfiguredEndpoint?.()) ?? undefined;
}

/** Refuses unless every client resolves to a loopback endpoint; names the first that does not. */
export async function assertLoopbackClients(clients: Record<string, EndpointConfiguredClient>): Promise<void> {
  for (const [name, client] of Object.entries(clients)) {
    const endpoint = await resolvedEndpoint(client);
    const service = client.config.serviceId ?? name;
    if (!endpoint)
      throw new OperationFailedError(`refusing to run: the ${service} client would call AWS itself (no endpoint configured for it)`, 'NOT_LOOPBACK');
    if (!isLoopbackUrl(endpoint))
      throw new OperationFailedError(`refusing to run: the ${service} client resolves to "${shown(endpoint)}", not a loopback address`, 'NOT_LOOPBACK');
  }
}
