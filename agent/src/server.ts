/**
 * The AgentCore Runtime HTTP contract on node:http (no dependencies, so the image carries only
 * Node and this code):
 *   GET  /ping         {"status":"Healthy"|"HealthyBusy","time_of_last_update":<epoch s>}
 *   POST /invocations  JSON in, JSON out: a task is accepted at once and runs in the background
 *                      (worker.ts); {"action":"status","task_id"} says what this agent knows of it;
 *                      {"action":"ping"|"version"} for smoke checks
 *   GET  /version      {"version","commit","digest"}: which build is answering (direct access only;
 *                      through AgentCore use the "version" action, the runtime forwards /invocations only)
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildInfoFromEnv, type BuildInfo } from './build-info';
import { BadInvocation, IncompleteInvocation, parseInvocation } from './invocation';
import { taskRowFromEnv, type TaskRowWriter } from './task-row';
import { TaskWorker, workerOptionsFromEnv } from './worker';

export const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
const DEFAULT_MAX_BODY = 1024 * 1024;

export interface AgentServerOptions {
  /** Defaults to GIT_COMMIT / IMAGE_DIGEST from the environment. */
  buildInfo?: BuildInfo;
  /** Epoch milliseconds (tests may pin it). */
  now?: () => number;
  /** One line per request (the container's stdout goes to CloudWatch in AgentCore). */
  log?: (line: string) => void;
  maxBodyBytes?: number;
  /** Where heartbeats and the outcome go (default: TASKS_TABLE from the environment; none without it). */
  taskRow?: TaskRowWriter | null;
  /** Default: ABCA_AGENT_STEP_MS from the environment (0). */
  stepMs?: number;
  /** Default: ABCA_HEARTBEAT_MS from the environment (30 s). */
  heartbeatMs?: number;
  /**
   * A deliberately broken agent (ABCA_AGENT_FAULT): "unhealthy" answers /ping and /invocations with
   * 500. The local data plane sets it for an image labelled as faulty (docs/local-mode.md).
   */
  fault?: 'unhealthy';
}

export type PingStatus = 'Healthy' | 'HealthyBusy';

/**
 * Healthy when idle, HealthyBusy while a task runs (ping and version actions do not count).
 * `time_of_last_update` moves only when the status changes: AgentCore reads an advancing timestamp
 * as progress, so it is never restamped.
 */
export class PingState {
  private inFlight = 0;
  private status: PingStatus = 'Healthy';
  private lastUpdate: number;

  constructor(private readonly now: () => number) {
    this.lastUpdate = now();
  }

  begin(): void {
    this.inFlight += 1;
    this.set('HealthyBusy');
  }

  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) this.set('Healthy');
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  body(): { status: PingStatus; time_of_last_update: number } {
    return { status: this.status, time_of_last_update: Math.floor(this.lastUpdate / 1000) };
  }

  private set(status: PingStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.lastUpdate = this.now();
  }
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole answer, when the contract fixes its shape (upstream's TASK_RECORD_INCOMPLETE). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The body as text; over `max` bytes → 413 once the rest is drained (so the client reads the answer). */
function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else if (size > max * 16) req.destroy();
    });
    req.on('end', () => {
      if (size > max) reject(new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `the payload is larger than ${max} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

const ROUTES: Record<string, string> = { '/ping': 'GET', '/version': 'GET', '/invocations': 'POST' };

export function createAgentServer(opts: AgentServerOptions = {}): http.Server & { worker: TaskWorker } {
  const now = opts.now ?? Date.now;
  const info = opts.buildInfo ?? buildInfoFromEnv();
  const log = opts.log ?? (() => {});
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const ping = new PingState(now);
  const fromEnv = workerOptionsFromEnv();
  const worker = new TaskWorker({
    row: opts.taskRow === null ? undefined : (opts.taskRow ?? taskRowFromEnv()),
    stepMs: opts.stepMs ?? fromEnv.stepMs,
    heartbeatMs: opts.heartbeatMs ?? fromEnv.heartbeatMs,
    log,
    agent: { ...info },
    onBusyChange: (busy) => (busy ? ping.begin() : ping.end()),
  });
  const fault = opts.fault ?? (process.env.ABCA_AGENT_FAULT === 'unhealthy' ? 'unhealthy' : undefined);

  async function invocations(req: http.IncomingMessage): Promise<unknown> {
    const raw = await readBody(req, maxBody);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HttpProblem(400, 'BAD_JSON', 'the payload is not JSON');
    }
    let invocation;
    try {
      invocation = parseInvocation(json);
    } catch (e) {
      if (e instanceof BadInvocation) throw new HttpProblem(400, 'BAD_INVOCATION', e.message);
      // Upstream's shape for it (agent/src/server.py): code, message and the missing fields at the top.
      if (e instanceof IncompleteInvocation)
        throw new HttpProblem(400, 'TASK_RECORD_INCOMPLETE', e.message, { code: 'TASK_RECORD_INCOMPLETE', message: e.message, missing: e.missing });
      throw e;
    }
    if (invocation.action === 'ping') return ping.body();
    if (invocation.action === 'version') return info;
    if (invocation.action === 'status') {
      const known = worker.status(invocation.task_id);
      return known ? { known: true, ...known } : { known: false, task_id: invocation.task_id };
    }
    const header = req.headers[SESSION_HEADER];
    const session = typeof header === 'string' && header ? header : invocation.task_id;
    const { github_token: _token, envelope, ...task } = invocation;
    // The token stays here (a real agent hands it to git); the outcome only says whether it came.
    const { accepted, status } = worker.start({ ...task, github_token_received: Boolean(_token) }, session);
    const result = { status: accepted ? 'accepted' : status.state, task_id: invocation.task_id, session_id: session, progress: status.progress, agent: info };
    if (!envelope) return result;
    // Upstream's answer (docs/agent-contract.md §3); the extras ride in `result`.
    return {
      output: {
        message: { role: 'assistant', content: [{ text: `Task accepted: ${invocation.task_id}` }] },
        result,
        timestamp: new Date(now()).toISOString(),
      },
    };
  }

  const server = http.createServer((req, res) => {
    const started = now();
    const path = (req.url ?? '/').split('?')[0]!;
    const finish = (status: number, body: unknown, headers?: Record<string, string>) => {
      send(res, status, body, headers);
      log(JSON.stringify({ at: new Date(started).toISOString(), method: req.method, path, status, ms: now() - started }));
    };
    const method = ROUTES[path];
    if (!method) return finish(404, { error: { code: 'NOT_FOUND', message: `no route ${path}` } });
    if (req.method !== method) return finish(405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${path} takes ${method}` } }, { allow: method });
    if (fault === 'unhealthy' && path !== '/version')
      return finish(500, { error: { code: 'UNHEALTHY', message: 'this agent is deliberately unhealthy (ABCA_AGENT_FAULT)' } });
    if (path === '/ping') return finish(200, ping.body());
    if (path === '/version') return finish(200, info);

    invocations(req).then(
      (body) => finish(200, body),
      (e: unknown) => {
        if (e instanceof HttpProblem) return finish(e.status, e.body ?? { error: { code: e.code, message: e.message } });
        // The detail goes to the log, never to the caller (it may carry paths or internals).
        log(JSON.stringify({ msg: 'invocation failed', error: e instanceof Error ? e.message : String(e) }));
        finish(500, { error: { code: 'INTERNAL', message: 'the agent failed to handle this invocation' } });
      },
    );
  });
  return Object.assign(server, { worker });
}

export interface RunningAgent {
  /** `http://<host>:<port>` (loopback form when bound to all interfaces). */
  url: string;
  port: number;
  /** The background task runs (tests wait on `worker.settled(taskId)`). */
  worker: TaskWorker;
  close(): Promise<void>;
}

/**
 * Starts the agent in this process: port 0 picks a free port; host defaults to loopback (the
 * container entry point binds 0.0.0.0, as AgentCore requires). `npm run dev` and tests use this.
 */
export function startAgentServer(opts: AgentServerOptions & { port?: number; host?: string } = {}): Promise<RunningAgent> {
  const host = opts.host ?? '127.0.0.1';
  const server = createAgentServer(opts);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${urlHost}:${port}`,
        port,
        worker: server.worker,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
