/**
 * The process that stands in for a session's microVM: the agent (agent/), started for one image
 * with IMAGE_DIGEST and the runtime's environment variables, healthy once its /ping answers.
 * Processes start from one esbuild bundle of agent/, compiled once, so a new session costs a Node
 * start, not a TypeScript compile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assumeRoleSession, credentialEnv } from '../iam/sessions';
import { DataPlaneError } from './errors';
import type { ServedImage } from './runtimes';

const AGENT_ENTRY = path.resolve(__dirname, '../../../agent/src/main.ts');
/** Where an agent command runs (`org.abca.local.command`, `--agent-cmd`): the project root. */
export const PROJECT_ROOT = path.resolve(__dirname, '../../..');

let bundled: string | undefined;
/** agent/ as one CommonJS file (esbuild), compiled once per process. */
function agentBundle(): string {
  if (bundled) return bundled;
  const esbuild = require('esbuild') as typeof import('esbuild');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abca-agent-bundle-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'agent.js');
  esbuild.buildSync({ entryPoints: [AGENT_ENTRY], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: out, logLevel: 'silent' });
  bundled = out;
  return out;
}

export interface AgentProcessOptions {
  /** The emulator the agent treats as AWS (it writes its task row there). */
  controlEndpoint: string;
  region: string;
  /** More environment, read at each start (it may change between sessions). */
  agentEnv: () => Record<string, string>;
  /** How long a new agent may take to answer /ping healthily. */
  startTimeoutMs: number;
  log: (line: string) => void;
  /**
   * A shell command that runs the agent for every image (`npm run dev -- --agent-cmd`), over the
   * image's own `org.abca.local.command`; agent/ otherwise. Started per session with PORT.
   */
  agentCommand?: string;
}

/** Agents started from a command: their own process group, so ending the session ends the whole command. */
const commandGroups = new WeakSet<ChildProcess>();

/** Ends an agent process; for a command, its whole process group (the shell and what it started). */
export function killAgent(child: ChildProcess, signal: NodeJS.Signals): void {
  if (commandGroups.has(child) && child.pid !== undefined) {
    try {
      process.kill(-child.pid, signal);
      return;
    } catch {
      // the group is gone already
    }
  }
  child.kill(signal);
}

/** A port nothing listens on now (the command's agent binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the agent for `image` and waits until it is healthy; RuntimeClientError (424) when it never is. */
/**
 * The version's execution role's session, as AgentCore hands a microVM its role's credentials:
 * assumed through the control plane's endpoint (the IAM enforcement point learns the key there)
 * with the data plane's own credentials, which stand for the AgentCore service.
 */
export async function executionRoleEnv(opts: Pick<AgentProcessOptions, 'controlEndpoint' | 'region'>, image: ServedImage, sessionId: string) {
  const roleArn = image.config.roleArn;
  if (!roleArn) throw new DataPlaneError(424, 'RuntimeClientError', `version ${image.version} of ${image.runtimeId} has no execution role (roleArn)`);
  const session = await assumeRoleSession(opts.controlEndpoint, roleArn, `agentcore-${sessionId.replace(/[^\w+=,.@-]/g, '').slice(0, 50)}`, {
    region: opts.region,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' },
  });
  return credentialEnv(session);
}

export async function spawnAgent(opts: AgentProcessOptions, image: ServedImage, sessionId: string): Promise<{ child: ChildProcess; url: string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // The execution role's session, and the emulator as "AWS" (the agent writes its task row).
    AWS_ENDPOINT_URL: opts.controlEndpoint,
    AWS_REGION: opts.region,
    ...(await executionRoleEnv(opts, image, sessionId)),
    ...(image.config.environmentVariables ?? {}),
    ...opts.agentEnv(),
    IMAGE_DIGEST: image.digest,
    HOST: '127.0.0.1',
    PORT: '0',
    ...(image.fault ? { ABCA_AGENT_FAULT: image.fault } : {}),
  };
  const command = opts.agentCommand ?? image.command;
  let child: ChildProcess;
  let url: string;
  if (command) {
    // Any agent, in any language: AgentCore's HTTP contract on PORT (GET /ping, POST /invocations).
    const port = await freePort();
    child = spawn('sh', ['-c', command], { cwd: PROJECT_ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    commandGroups.add(child);
    url = `http://127.0.0.1:${port}`;
    child.once('exit', (code) => opts.log(`[agent ${sessionId.slice(0, 12)}] \`${command}\` exited (${code})`));
  } else {
    child = spawn(process.execPath, [agentBundle()], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await listeningUrl(child, opts.startTimeoutMs);
  }
  // Keep draining: the agent's request log must never fill the pipe.
  child.stdout!.on('data', (d: Buffer) => opts.log(`[agent ${sessionId.slice(0, 12)}] ${d.toString().trimEnd()}`));
  child.stderr!.on('data', (d: Buffer) => opts.log(`[agent ${sessionId.slice(0, 12)}] ${d.toString().trimEnd()}`));
  // AgentCore waits for a healthy /ping before it routes; an image that never gets there fails the call.
  const deadline = Date.now() + opts.startTimeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url };
    if (Date.now() > deadline || image.fault || child.exitCode !== null) {
      killAgent(child, 'SIGKILL');
      throw new DataPlaneError(424, 'RuntimeClientError', `the runtime container for ${image.digest} is not healthy (its /ping fails)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The URL the agent reports in its "agent listening" log line. */
function listeningUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new DataPlaneError(424, 'RuntimeClientError', 'the runtime container did not start in time')), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"agent listening"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
        return;
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new DataPlaneError(424, 'RuntimeClientError', `the runtime container exited (${code}) before answering`));
    });
  });
}
