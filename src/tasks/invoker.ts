/**
 * How the control plane reaches the agent: InvokeAgentRuntime and StopRuntimeSession on the
 * AgentCore runtime, in AWS and locally alike (locally the SDK reaches the emulated data plane
 * through AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, src/local/agentcore-data-plane.ts). One path.
 *
 * Calls are short by contract: the agent accepts a task and answers at once (the work runs in the
 * background), so the client timeout is seconds, well inside the 29 s of the API function.
 */
import { InvokeAgentRuntimeCommand, StopRuntimeSessionCommand, type BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { createHash } from 'node:crypto';
import { agentCoreDataClient } from '../aws/clients';
import { awsErrorName } from '../aws/errors';
import { ValidationError } from '../errors';
import { AgentInvocationError } from './errors';

/** AgentCore requires runtime session ids of 33-256 characters. */
export const SESSION_ID_MIN = 33;
export const SESSION_ID_MAX = 256;
/** The header AgentCore uses to pass the session id to the container. */
export const SESSION_HEADER = 'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id';
/**
 * Per call: the agent answers at once, but a new session starts a microVM first (seconds). Well
 * inside the 29 s of the API function that makes the call.
 */
export const INVOKE_TIMEOUT_MS = 15_000;

export interface AgentInvocation {
  /** 33-256 characters; one task is one session. */
  sessionId: string;
  payload: Record<string, unknown>;
  /** A RepoConfig's own runtime; the invoker's default runtime otherwise. */
  runtimeArn?: string;
  /**
   * The submitting user, as runtimeUserId (AgentCore Identity hands the agent a workload token for
   * that user; the caller needs bedrock-agentcore:InvokeAgentRuntimeForUser).
   */
  userId?: string;
}

export interface AgentInvoker {
  readonly kind: 'agentcore';
  /** Runtime ARN, for logs and reports. */
  readonly target: string;
  /** Endpoint name the invoker targets (DEFAULT when absent). */
  readonly qualifier?: string;
  /** The agent's JSON answer; AGENT_INVOCATION_FAILED when it cannot be reached or does not answer JSON. */
  invoke(invocation: AgentInvocation): Promise<unknown>;
  /**
   * StopRuntimeSession; `not_found` when AgentCore no longer has the session. `qualifier`: the
   * endpoint the session was started on (the task records it); the invoker's own otherwise.
   */
  stopSession(opts: { sessionId: string; runtimeArn?: string; qualifier?: string }): Promise<'stopped' | 'not_found'>;
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

export interface AgentCoreInvokerOptions {
  runtimeArn: string;
  client?: BedrockAgentCoreClient;
  /** Endpoint name; AgentCore's DEFAULT endpoint when absent. Tasks use `live`. */
  qualifier?: string;
  timeoutMs?: number;
}

/** StopRuntimeSession's clientToken: 33-256 of [a-zA-Z0-9-], the same for the same session (idempotent). */
export function stopClientToken(sessionId: string): string {
  return `stop-${createHash('sha256').update(sessionId).digest('hex').slice(0, 40)}`;
}

export class AgentCoreInvoker implements AgentInvoker {
  readonly kind = 'agentcore' as const;
  readonly target: string;
  readonly client: BedrockAgentCoreClient;
  readonly qualifier?: string;

  constructor(opts: AgentCoreInvokerOptions) {
    this.target = opts.runtimeArn;
    this.client = opts.client ?? agentCoreDataClient(opts.timeoutMs ?? INVOKE_TIMEOUT_MS);
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
          ...(invocation.userId ? { runtimeUserId: invocation.userId } : {}),
          contentType: 'application/json',
          accept: 'application/json',
          payload: new TextEncoder().encode(JSON.stringify(invocation.payload)),
        }),
      );
    } catch (e) {
      const name = awsErrorName(e) ?? 'Error';
      throw new AgentInvocationError(
        `InvokeAgentRuntime on ${agentRuntimeArn}${this.qualifier ? ` (${this.qualifier})` : ''} failed: ${name}: ${(e as Error).message}`,
        { target: agentRuntimeArn, error: name },
        { cause: e },
      );
    }
    const text = out.response ? await out.response.transformToString() : '';
    if (out.statusCode !== undefined && out.statusCode >= 400) {
      throw new AgentInvocationError(`agent on ${agentRuntimeArn} answered ${out.statusCode}: ${text.slice(0, 200)}`, {
        target: agentRuntimeArn,
        status: out.statusCode,
      });
    }
    return parseAgentBody(text, out.contentType);
  }

  async stopSession(opts: { sessionId: string; runtimeArn?: string; qualifier?: string }): Promise<'stopped' | 'not_found'> {
    assertSessionId(opts.sessionId);
    const agentRuntimeArn = opts.runtimeArn ?? this.target;
    const qualifier = opts.qualifier ?? this.qualifier;
    try {
      await this.client.send(
        new StopRuntimeSessionCommand({
          agentRuntimeArn,
          runtimeSessionId: opts.sessionId,
          qualifier,
          clientToken: stopClientToken(opts.sessionId),
        }),
      );
      return 'stopped';
    } catch (e) {
      const name = awsErrorName(e) ?? 'Error';
      if (name === 'ResourceNotFoundException') return 'not_found';
      throw new AgentInvocationError(
        `StopRuntimeSession on ${agentRuntimeArn}${qualifier ? ` (${qualifier})` : ''} failed: ${name}: ${(e as Error).message}`,
        { target: agentRuntimeArn, error: name },
        { cause: e },
      );
    }
  }
}
