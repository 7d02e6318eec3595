/**
 * How the control plane reaches the agent: one interface, two adapters, chosen by configuration.
 *   AgentCoreInvoker  InvokeAgentRuntime on the AgentCore runtime (AWS)
 *   HttpAgentInvoker  POST <url>/invocations on an agent process (local mode: moto does not
 *                     emulate the AgentCore data plane)
 * Both send the same JSON payload with the same session id and return the agent's JSON answer.
 */
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore';
import { ValidationError } from '../errors';
import { AgentInvocationError } from './errors';

/** AgentCore requires runtime session ids of 33-256 characters. */
export const SESSION_ID_MIN = 33;
export const SESSION_ID_MAX = 256;
/** The header AgentCore uses to pass the session id to the container (sent by the HTTP adapter too). */
export const SESSION_HEADER = 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id';

export interface AgentInvocation {
  /** 33-256 characters; one task is one session. */
  sessionId: string;
  payload: Record<string, unknown>;
  /** A RepoConfig's own runtime; the adapter's default runtime otherwise (ignored over HTTP). */
  runtimeArn?: string;
}

export interface AgentInvoker {
  readonly kind: 'agentcore' | 'http';
  /** Runtime ARN or agent URL, for logs and reports. */
  readonly target: string;
  /** The agent's JSON answer; AGENT_INVOCATION_FAILED when it cannot be reached or does not answer JSON. */
  invoke(invocation: AgentInvocation): Promise<unknown>;
}

export function assertSessionId(sessionId: string): void {
  if (sessionId.length < SESSION_ID_MIN || sessionId.length > SESSION_ID_MAX) {
    throw new ValidationError(`runtime session id must be ${SESSION_ID_MIN}-${SESSION_ID_MAX} characters, got ${sessionId.length}`, 'INVALID_SESSION_ID');
  }
}

/** JSON, or the last `data:` event of a server-sent-events stream (the contract allows both). */
export function parseAgentBody(text: string, contentType: string | undefined): unknown {
  let json = text.trim();
  if (contentType?.includes('text/event-stream')) {
    const events = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter(Boolean);
    json = events[events.length - 1] ?? '';
  }
  try {
    return JSON.parse(json);
  } catch {
    throw new AgentInvocationError(`the agent did not answer JSON: ${text.slice(0, 200)}`);
  }
}

function errorMessageOf(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.message === 'string') return `${typeof error.code === 'string' ? `${error.code}: ` : ''}${error.message}`;
  return undefined;
}

export interface HttpAgentInvokerOptions {
  /** Per invocation; default 5 minutes. */
  timeoutMs?: number;
}

export class HttpAgentInvoker implements AgentInvoker {
  readonly kind = 'http' as const;
  readonly target: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, opts: HttpAgentInvokerOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new ValidationError(`agent URL "${baseUrl}" is not a URL`, 'INVALID_AGENT_URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(`agent URL "${baseUrl}" must be http(s)`, 'INVALID_AGENT_URL');
    this.target = url.toString().replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  }

  async invoke(invocation: AgentInvocation): Promise<unknown> {
    assertSessionId(invocation.sessionId);
    const url = `${this.target}/invocations`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', [SESSION_HEADER]: invocation.sessionId },
        body: JSON.stringify(invocation.payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new AgentInvocationError(`agent at ${this.target} unreachable (${cause})`, { target: this.target }, { cause: e });
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 200);
      try {
        detail = errorMessageOf(JSON.parse(text)) ?? detail;
      } catch {
        // not JSON: keep the raw text
      }
      throw new AgentInvocationError(`agent at ${this.target} answered ${res.status}: ${detail}`, { target: this.target, status: res.status });
    }
    return parseAgentBody(text, res.headers.get('content-type') ?? undefined);
  }
}

export interface AgentCoreInvokerOptions {
  runtimeArn: string;
  client?: BedrockAgentCoreClient;
  /** Endpoint name or version; AgentCore's DEFAULT endpoint when absent. */
  qualifier?: string;
}

export class AgentCoreInvoker implements AgentInvoker {
  readonly kind = 'agentcore' as const;
  readonly target: string;
  readonly client: BedrockAgentCoreClient;
  private readonly qualifier?: string;

  constructor(opts: AgentCoreInvokerOptions) {
    this.target = opts.runtimeArn;
    this.client = opts.client ?? new BedrockAgentCoreClient({});
    this.qualifier = opts.qualifier;
  }

  async invoke(invocation: AgentInvocation): Promise<unknown> {
    assertSessionId(invocation.sessionId);
    const agentRuntimeArn = invocation.runtimeArn ?? this.target;
    let out;
    try {
      out = await this.client.send(
        new InvokeAgentRuntimeCommand({
          agentRuntimeArn,
          runtimeSessionId: invocation.sessionId,
          qualifier: this.qualifier,
          contentType: 'application/json',
          accept: 'application/json',
          payload: new TextEncoder().encode(JSON.stringify(invocation.payload)),
        }),
      );
    } catch (e) {
      const name = (e as { name?: string }).name ?? 'Error';
      throw new AgentInvocationError(`InvokeAgentRuntime on ${agentRuntimeArn} failed: ${name}: ${(e as Error).message}`, { target: agentRuntimeArn, error: name }, { cause: e });
    }
    const text = out.response ? await out.response.transformToString() : '';
    if (out.statusCode !== undefined && out.statusCode >= 400) {
      throw new AgentInvocationError(`agent on ${agentRuntimeArn} answered ${out.statusCode}: ${text.slice(0, 200)}`, { target: agentRuntimeArn, status: out.statusCode });
    }
    return parseAgentBody(text, out.contentType);
  }
}

/**
 * The adapter configuration names: ABCA_AGENT_URL set → the agent process at that URL (local mode);
 * otherwise InvokeAgentRuntime on `runtimeArn` (the platform's runtime).
 */
export function invokerFromEnv(opts: { runtimeArn?: string; env?: NodeJS.ProcessEnv; client?: BedrockAgentCoreClient } = {}): AgentInvoker {
  const env = opts.env ?? process.env;
  const url = env.ABCA_AGENT_URL?.trim();
  if (url) return new HttpAgentInvoker(url);
  if (!opts.runtimeArn) throw new ValidationError('no agent to invoke: set ABCA_AGENT_URL (local) or give the runtime ARN', 'NO_AGENT_RUNTIME');
  return new AgentCoreInvoker({ runtimeArn: opts.runtimeArn, client: opts.client });
}
