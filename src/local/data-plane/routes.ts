/**
 * The data plane's HTTP operations: InvokeAgentRuntime and StopRuntimeSession, with the REST paths,
 * headers and errors of botocore's bedrock-agentcore 2024-02-28 model.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { isAwsError } from '../../aws/errors';
import { DataPlaneError, validation } from './errors';
import type { RuntimeResolver } from './runtimes';
import type { SessionPool } from './sessions';

export const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
/** InvokeAgentRuntime's runtimeUserId (botocore bedrock-agentcore 2024-02-28: a header). */
export const USER_HEADER = 'x-amzn-bedrock-agentcore-runtime-user-id';
const SESSION_MIN = 33;
const SESSION_MAX = 256;

export interface DataPlaneCall {
  operation: 'InvokeAgentRuntime' | 'StopRuntimeSession';
  agentRuntimeArn: string;
  qualifier: string | null;
  sessionId: string | null;
  /** runtimeUserId, when the caller named one. */
  userId?: string;
  status: number;
  error?: string;
}

export interface RouteDeps {
  resolver: RuntimeResolver;
  sessions: SessionPool;
  /** Every call served is appended here. */
  calls: DataPlaneCall[];
  log: (line: string) => void;
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

function sessionHeader(req: http.IncomingMessage): string | undefined {
  const v = req.headers[SESSION_HEADER];
  return typeof v === 'string' && v ? v : undefined;
}

function checkSession(id: string): void {
  if (id.length < SESSION_MIN || id.length > SESSION_MAX) {
    throw validation(`runtimeSessionId must be ${SESSION_MIN}-${SESSION_MAX} characters`, 'runtimeSessionId');
  }
}

async function invoke(deps: RouteDeps, req: http.IncomingMessage, res: http.ServerResponse, arn: string, qualifier: string | null, call: DataPlaneCall) {
  const sessionId = sessionHeader(req) ?? randomUUID();
  call.sessionId = sessionId;
  const user = req.headers[USER_HEADER];
  if (typeof user === 'string' && user) call.userId = user;
  checkSession(sessionId);
  const body = await readBody(req);
  if (body.length === 0) throw validation('payload is required', 'payload');
  const session = await deps.sessions.sessionFor(arn, qualifier ?? 'DEFAULT', sessionId);
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

async function stopSession(deps: RouteDeps, req: http.IncomingMessage, res: http.ServerResponse, arn: string, qualifier: string | null, call: DataPlaneCall) {
  const sessionId = sessionHeader(req);
  call.sessionId = sessionId ?? null;
  if (!sessionId) throw validation('runtimeSessionId is required', 'runtimeSessionId');
  checkSession(sessionId);
  await readBody(req);
  await deps.resolver.runtime(arn);
  const session = deps.sessions.get(sessionId);
  // A session belongs to the endpoint it was started on (qualifier, DEFAULT when absent): under
  // another qualifier AgentCore finds no such session (docs/agentcore-emulator.md, D8).
  if (!session || session.info.qualifier !== (qualifier ?? 'DEFAULT'))
    throw new DataPlaneError(404, 'ResourceNotFoundException', `no session ${sessionId} on ${arn} (qualifier ${qualifier ?? 'DEFAULT'})`);
  await deps.sessions.end(session);
  deps.log(`session ${sessionId} stopped`);
  res.writeHead(200, { 'content-type': 'application/json', [SESSION_HEADER]: sessionId });
  res.end('{}');
}

/** Answers an error as AWS does, and records it on the call. */
function fail(deps: RouteDeps, res: http.ServerResponse, e: unknown, call?: DataPlaneCall): void {
  // The control plane's own "not found" (runtime, endpoint or version) is the data plane's too.
  const err =
    e instanceof DataPlaneError
      ? e
      : isAwsError(e, 'ResourceNotFoundException')
        ? new DataPlaneError(404, 'ResourceNotFoundException', (e as Error).message)
        : new DataPlaneError(500, 'InternalServerException', (e as Error).message ?? String(e));
  if (call) {
    call.status = err.status;
    call.error = err.type;
  }
  if (err.status >= 500) deps.log(`data plane error: ${(e as Error).stack ?? String(e)}`);
  if (res.headersSent) return void res.end();
  res.writeHead(err.status, { 'content-type': 'application/json', 'x-amzn-errortype': err.type });
  res.end(JSON.stringify({ message: err.message, ...err.extra }));
}

/** The request listener: `POST /runtimes/{arn}/invocations` and `POST /runtimes/{arn}/stopruntimesession`. */
export function dataPlaneRoutes(deps: RouteDeps): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/runtimes\/([^/]+)\/(invocations|stopruntimesession)$/.exec(url.pathname);
    if (!m || req.method !== 'POST')
      return fail(deps, res, new DataPlaneError(404, 'UnknownOperationException', `no operation for ${req.method} ${url.pathname}`));
    const arn = decodeURIComponent(m[1]!);
    const qualifier = url.searchParams.get('qualifier');
    const call: DataPlaneCall = {
      operation: m[2] === 'invocations' ? 'InvokeAgentRuntime' : 'StopRuntimeSession',
      agentRuntimeArn: arn,
      qualifier,
      sessionId: null,
      status: 200,
    };
    deps.calls.push(call);
    (m[2] === 'invocations' ? invoke(deps, req, res, arn, qualifier, call) : stopSession(deps, req, res, arn, qualifier, call)).catch((e) =>
      fail(deps, res, e, call),
    );
  };
}
