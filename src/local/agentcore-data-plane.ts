/**
 * The AgentCore data plane on one machine: InvokeAgentRuntime and StopRuntimeSession (REST paths,
 * headers and errors of botocore's bedrock-agentcore 2024-02-28 model), reached by the SDK through
 * the standard AWS_ENDPOINT_URL_BEDROCK_AGENTCORE. moto serves the control plane; this serves what
 * AgentCore does with it:
 *
 *   runtime ARN + qualifier (endpoint name, DEFAULT when absent)
 *     → GetAgentRuntimeEndpoint: its liveVersion
 *     → GetAgentRuntime with that agentRuntimeVersion: its container URI → image digest
 *     → the image in ECR (must exist; its manifest's annotations can mark it faulty)
 *     → an agent process started for that image (IMAGE_DIGEST in its environment, with the
 *       runtime's environment variables), which serves the session.
 *
 * Sessions are what AgentCore isolates in a microVM: a session is pinned to the process (and so the
 * version) that first served it, whatever the endpoint does later. One process serves one session,
 * so StopRuntimeSession (or the session's idle timeout or maximum lifetime) ends exactly that
 * session's work by ending its process, as AgentCore does. Processes start from one esbuild bundle
 * of agent/, compiled once, so a new session costs a Node start, not a TypeScript compile.
 *
 * A deliberately bad image: push it with the manifest annotation `org.abca.local.agent-fault:
 * unhealthy` (pushLocalImage's `annotations`); its agent answers /ping with 500, so every
 * invocation on a version serving it fails with RuntimeClientError (424), as a container that never
 * becomes healthy does in AgentCore.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BedrockAgentCoreControlClient,
  GetAgentRuntimeCommand,
  GetAgentRuntimeEndpointCommand,
  ListAgentRuntimesCommand,
  type GetAgentRuntimeCommandOutput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import { parseContainerUri } from '../platform/runtime-spec';

export const FAULT_ANNOTATION = 'org.abca.local.agent-fault';
export const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
const SESSION_MIN = 33;
const SESSION_MAX = 256;
const AGENT_ENTRY = path.resolve(__dirname, '../../agent/src/main.ts');

export interface DataPlaneCall {
  operation: 'InvokeAgentRuntime' | 'StopRuntimeSession';
  agentRuntimeArn: string;
  qualifier: string | null;
  sessionId: string | null;
  status: number;
  error?: string;
}

export interface SessionInfo {
  sessionId: string;
  agentRuntimeId: string;
  qualifier: string;
  version: string;
  digest: string;
  pid: number;
  url: string;
  startedAt: number;
}

export interface DataPlaneOptions {
  /** The control plane (moto); default AWS_ENDPOINT_URL. */
  controlEndpoint?: string;
  region?: string;
  /** More environment for every agent process (knobs such as ABCA_AGENT_STEP_MS, ABCA_HEARTBEAT_MS). */
  agentEnv?: Record<string, string>;
  /** How long a new agent may take to answer /ping healthily (default 15 s). */
  startTimeoutMs?: number;
  /** Seconds; override the runtime's lifecycleConfiguration (tests). */
  lifecycle?: { idleRuntimeSessionTimeout?: number; maxLifetime?: number };
  log?: (line: string) => void;
}

export interface AgentCoreDataPlane {
  /** What AWS_ENDPOINT_URL_BEDROCK_AGENTCORE should be. */
  endpoint: string;
  /** Every call served, in order. */
  calls: DataPlaneCall[];
  sessions(): SessionInfo[];
  /** Environment for agents started from now on (a knob between tests: step time, heartbeat). */
  setAgentEnv(vars: Record<string, string>): void;
  /** Kills a session's agent abruptly (SIGKILL), as a crashed microVM: the session is gone. */
  killSession(sessionId: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** An error as AWS's rest-json protocol sends it: status, x-amzn-errortype, {"message", …}. */
export class DataPlaneError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const validation = (message: string, field?: string) =>
  new DataPlaneError(400, 'ValidationException', message, { reason: 'FieldValidationFailed', ...(field ? { fieldList: [{ name: field, message }] } : {}) });

/** `…:runtime/<id>` (AWS) or the ARN moto handed out (compared without a trailing `:<version>`). */
export function runtimeIdFromArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:runtime\/([A-Za-z][A-Za-z0-9_]{0,99}-[A-Za-z0-9]{10})$/.exec(arn);
  return m?.[1];
}

function baseArn(arn: string): string {
  return arn.replace(/:\d+$/, '');
}

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

interface Session {
  info: SessionInfo;
  child: ChildProcess;
  lastActivity: number;
  exited: Promise<void>;
  gone: boolean;
}

function readBody(req: http.IncomingMessage, max = 100 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => (size > max ? reject(new DataPlaneError(413, 'ValidationException', 'payload too large')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

export async function startAgentCoreDataPlane(opts: DataPlaneOptions = {}): Promise<AgentCoreDataPlane> {
  const controlEndpoint = opts.controlEndpoint ?? process.env.AWS_ENDPOINT_URL;
  if (!controlEndpoint) throw new Error('the local AgentCore data plane needs the control plane endpoint (AWS_ENDPOINT_URL)');
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const control = new BedrockAgentCoreControlClient({ region, endpoint: controlEndpoint, maxAttempts: 2 });
  const ecr = new ECRClient({ region, endpoint: controlEndpoint, maxAttempts: 2 });
  const log = opts.log ?? (() => {});
  let agentEnv: Record<string, string> = { ...(opts.agentEnv ?? {}) };
  const calls: DataPlaneCall[] = [];
  const sessions = new Map<string, Session>();
  const starting = new Map<string, Promise<Session>>();

  async function resolveRuntime(arn: string): Promise<{ id: string; arn: string }> {
    const id = runtimeIdFromArn(arn);
    if (id) return { id, arn };
    const listed = await control.send(new ListAgentRuntimesCommand({}));
    const found = listed.agentRuntimes?.find((r) => r.agentRuntimeArn && baseArn(r.agentRuntimeArn) === baseArn(arn));
    if (!found) throw new DataPlaneError(404, 'ResourceNotFoundException', `no agent runtime ${arn}`);
    return { id: found.agentRuntimeId!, arn: found.agentRuntimeArn! };
  }

  /** The version the endpoint serves: liveVersion (DEFAULT follows the latest version, as in AgentCore). */
  async function endpointVersion(runtimeId: string, qualifier: string): Promise<string> {
    try {
      const ep = await control.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: runtimeId, endpointName: qualifier }));
      const version = ep.liveVersion ?? ep.targetVersion;
      if (!version) throw new DataPlaneError(424, 'RuntimeClientError', `endpoint ${qualifier} of ${runtimeId} serves no version yet`);
      return version;
    } catch (e) {
      if (e instanceof DataPlaneError) throw e;
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
      if (qualifier !== 'DEFAULT') throw new DataPlaneError(404, 'ResourceNotFoundException', `no endpoint ${qualifier} on agent runtime ${runtimeId}`);
      // A control plane without an explicit DEFAULT endpoint: DEFAULT is the latest version.
      const latest = await control.send(new GetAgentRuntimeCommand({ agentRuntimeId: runtimeId }));
      return latest.agentRuntimeVersion!;
    }
  }

  async function imageFault(repositoryUrl: string, digest: string): Promise<string | undefined> {
    const repositoryName = repositoryUrl.split('/').slice(1).join('/');
    const out = await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageDigest: digest }] })).catch((e: unknown) => {
      // AgentCore cannot pull it: the session never starts.
      throw new DataPlaneError(
        424,
        'RuntimeClientError',
        `the runtime's image ${repositoryUrl}@${digest} cannot be pulled (${(e as { name?: string }).name ?? 'error'})`,
      );
    });
    const manifest = out.images?.[0]?.imageManifest;
    if (!manifest) throw new DataPlaneError(424, 'RuntimeClientError', `the runtime's image ${repositoryUrl}@${digest} is not in ECR`);
    const annotations = (JSON.parse(manifest) as { annotations?: Record<string, string> }).annotations ?? {};
    return annotations[FAULT_ANNOTATION];
  }

  async function spawnAgent(
    runtime: GetAgentRuntimeCommandOutput,
    digest: string,
    fault: string | undefined,
    sessionId: string,
  ): Promise<{ child: ChildProcess; url: string }> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      // The execution role's credentials, and the emulator as "AWS" (the agent writes its task row).
      AWS_ENDPOINT_URL: controlEndpoint!,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      ...(runtime.environmentVariables ?? {}),
      ...agentEnv,
      IMAGE_DIGEST: digest,
      HOST: '127.0.0.1',
      PORT: '0',
      ...(fault ? { ABCA_AGENT_FAULT: fault } : {}),
    };
    const child = spawn(process.execPath, [agentBundle()], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new DataPlaneError(424, 'RuntimeClientError', 'the runtime container did not start in time')),
        opts.startTimeoutMs ?? 15_000,
      );
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
    // Keep draining: the agent's request log must never fill the pipe.
    child.stdout!.on('data', (d: Buffer) => log(`[agent ${sessionId.slice(0, 12)}] ${d.toString().trimEnd()}`));
    child.stderr!.on('data', (d: Buffer) => log(`[agent ${sessionId.slice(0, 12)}] ${d.toString().trimEnd()}`));
    // AgentCore waits for a healthy /ping before it routes; an image that never gets there fails the call.
    const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
    for (;;) {
      const ok = await fetch(`${url}/ping`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { child, url };
      if (Date.now() > deadline || fault) {
        child.kill('SIGKILL');
        throw new DataPlaneError(424, 'RuntimeClientError', `the runtime container for ${digest} is not healthy (its /ping fails)`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function openSession(arn: string, qualifier: string, sessionId: string): Promise<Session> {
    const runtime = await resolveRuntime(arn);
    const version = await endpointVersion(runtime.id, qualifier);
    const config = await control.send(new GetAgentRuntimeCommand({ agentRuntimeId: runtime.id, agentRuntimeVersion: version }));
    const uri = config.agentRuntimeArtifact?.containerConfiguration?.containerUri ?? '';
    const image = parseContainerUri(uri);
    if (!image) throw new DataPlaneError(424, 'RuntimeClientError', `version ${version} of ${runtime.id} has no digest-pinned container URI (${uri})`);
    const fault = await imageFault(image.repositoryUrl, image.digest);
    const { child, url } = await spawnAgent(config, image.digest, fault, sessionId);
    const session: Session = {
      info: { sessionId, agentRuntimeId: runtime.id, qualifier, version, digest: image.digest, pid: child.pid!, url, startedAt: Date.now() },
      child,
      lastActivity: Date.now(),
      gone: false,
      exited: new Promise<void>((r) => child.once('exit', () => r())),
    };
    void session.exited.then(() => {
      session.gone = true;
      if (sessions.get(sessionId) === session) sessions.delete(sessionId);
    });
    sessions.set(sessionId, session);
    log(`session ${sessionId} on ${runtime.id} ${qualifier} → version ${version} ${image.digest.slice(0, 19)}… (pid ${child.pid})`);
    return session;
  }

  async function sessionFor(arn: string, qualifier: string, sessionId: string): Promise<Session> {
    const live = sessions.get(sessionId);
    if (live && !live.gone) return live;
    let pending = starting.get(sessionId);
    if (!pending) {
      pending = openSession(arn, qualifier, sessionId).finally(() => starting.delete(sessionId));
      starting.set(sessionId, pending);
    }
    return pending;
  }

  async function endSession(session: Session, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    sessions.delete(session.info.sessionId);
    if (session.gone) return;
    session.child.kill(signal);
    const timer = setTimeout(() => session.child.kill('SIGKILL'), 3000);
    await session.exited;
    clearTimeout(timer);
  }

  function sessionHeader(req: http.IncomingMessage): string | undefined {
    const v = req.headers[SESSION_HEADER];
    return typeof v === 'string' && v ? v : undefined;
  }

  function checkSession(id: string): void {
    if (id.length < SESSION_MIN || id.length > SESSION_MAX) {
      throw validation(`runtimeSessionId must be ${SESSION_MIN}-${SESSION_MAX} characters`, 'runtimeSessionId');
    }
  }

  async function invoke(req: http.IncomingMessage, res: http.ServerResponse, arn: string, qualifier: string | null, call: DataPlaneCall): Promise<void> {
    const sessionId = sessionHeader(req) ?? randomUUID();
    call.sessionId = sessionId;
    checkSession(sessionId);
    const body = await readBody(req);
    if (body.length === 0) throw validation('payload is required', 'payload');
    const session = await sessionFor(arn, qualifier ?? 'DEFAULT', sessionId);
    session.lastActivity = Date.now();
    let answer: Response;
    try {
      answer = await fetch(`${session.info.url}/invocations`, {
        method: 'POST',
        headers: {
          'content-type': String(req.headers['content-type'] ?? 'application/json'),
          accept: String(req.headers.accept ?? 'application/json'),
          [SESSION_HEADER]: sessionId,
        },
        body,
      });
    } catch {
      throw new DataPlaneError(424, 'RuntimeClientError', 'the runtime container did not answer (it may have stopped)');
    }
    const text = await answer.text();
    session.lastActivity = Date.now();
    if (!answer.ok) throw new DataPlaneError(424, 'RuntimeClientError', `Received error (${answer.status}) from runtime: ${text.slice(0, 500)}`);
    res.writeHead(200, { 'content-type': answer.headers.get('content-type') ?? 'application/json', [SESSION_HEADER]: sessionId });
    res.end(text);
  }

  async function stopSession(req: http.IncomingMessage, res: http.ServerResponse, arn: string, call: DataPlaneCall): Promise<void> {
    const sessionId = sessionHeader(req);
    call.sessionId = sessionId ?? null;
    if (!sessionId) throw validation('runtimeSessionId is required', 'runtimeSessionId');
    checkSession(sessionId);
    await readBody(req);
    await resolveRuntime(arn);
    const session = sessions.get(sessionId);
    if (!session) throw new DataPlaneError(404, 'ResourceNotFoundException', `no session ${sessionId} on ${arn}`);
    await endSession(session);
    log(`session ${sessionId} stopped`);
    res.writeHead(200, { 'content-type': 'application/json', [SESSION_HEADER]: sessionId });
    res.end('{}');
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/runtimes\/([^/]+)\/(invocations|stopruntimesession)$/.exec(url.pathname);
    const fail = (e: unknown, call?: DataPlaneCall) => {
      const name = (e as { name?: string }).name;
      // The control plane's own "not found" (runtime, endpoint or version) is the data plane's too.
      const err =
        e instanceof DataPlaneError
          ? e
          : name === 'ResourceNotFoundException'
            ? new DataPlaneError(404, 'ResourceNotFoundException', (e as Error).message)
            : new DataPlaneError(500, 'InternalServerException', (e as Error).message ?? String(e));
      if (call) {
        call.status = err.status;
        call.error = err.type;
      }
      if (err.status >= 500) log(`data plane error: ${(e as Error).stack ?? String(e)}`);
      if (res.headersSent) return res.end();
      res.writeHead(err.status, { 'content-type': 'application/json', 'x-amzn-errortype': err.type });
      res.end(JSON.stringify({ message: err.message, ...err.extra }));
    };
    if (!m || req.method !== 'POST') return fail(new DataPlaneError(404, 'UnknownOperationException', `no operation for ${req.method} ${url.pathname}`));
    const arn = decodeURIComponent(m[1]!);
    const qualifier = url.searchParams.get('qualifier');
    const call: DataPlaneCall = {
      operation: m[2] === 'invocations' ? 'InvokeAgentRuntime' : 'StopRuntimeSession',
      agentRuntimeArn: arn,
      qualifier,
      sessionId: null,
      status: 200,
    };
    calls.push(call);
    (m[2] === 'invocations' ? invoke(req, res, arn, qualifier, call) : stopSession(req, res, arn, call)).catch((e) => fail(e, call));
  });

  // AgentCore ends a session idle for idleRuntimeSessionTimeout, and any session after maxLifetime.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const session of sessions.values()) {
      const idle = opts.lifecycle?.idleRuntimeSessionTimeout ?? 900;
      const max = opts.lifecycle?.maxLifetime ?? 28_800;
      if (now - session.info.startedAt > max * 1000) {
        log(`session ${session.info.sessionId} reached its maximum lifetime`);
        void endSession(session);
        continue;
      }
      if (now - session.lastActivity <= idle * 1000) continue;
      void fetch(`${session.info.url}/ping`)
        .then((r) => r.json() as Promise<{ status?: string }>)
        .then(
          (p) => {
            if (p.status === 'HealthyBusy') session.lastActivity = Date.now();
            else {
              log(`session ${session.info.sessionId} idle for ${idle} s: ended`);
              void endSession(session);
            }
          },
          () => void endSession(session),
        );
    }
  }, 1000);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    calls,
    sessions: () => [...sessions.values()].filter((s) => !s.gone).map((s) => ({ ...s.info })),
    setAgentEnv: (vars) => {
      agentEnv = { ...(opts.agentEnv ?? {}), ...vars };
    },
    killSession: async (sessionId) => {
      const session = sessions.get(sessionId);
      if (!session) return false;
      await endSession(session, 'SIGKILL');
      return true;
    },
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(sweep);
        await Promise.all([...sessions.values()].map((s) => endSession(s)));
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      })()),
  };
}
