/**
 * Fault injection and request capture on real SDK clients, as SDK middleware: the request still
 * goes to moto unless a fault (or an answer) stands in for AWS. One small helper instead of a
 * hand-written middleware state machine per test.
 *
 *   const faults = injectFault(clients.agentcore, { command: 'UpdateAgentRuntime', calls: [1, 2], error: throttling() });
 *   const sent = captureCalls(clients.agentcore, { command: 'UpdateAgentRuntime' });
 *
 * Faults are thrown in the `deserialize` step, below the SDK's retry middleware, so the client's
 * retry strategy sees them exactly as it would see AWS's answer (a throttle is retried, a
 * validation error is not).
 */
import type { MetadataBearer } from '@smithy/types';

/** Anything with an SDK middleware stack: every v3 client, and lib-dynamodb's document client. */
export interface SdkClient {
  middlewareStack: { add(middleware: never, options: never): void };
}

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: { input: unknown; request?: unknown }) => Promise<unknown>;

/** An error as the SDK builds one from an AWS error answer: `name` is the AWS error code. */
export function awsError(name: string, message = `injected: ${name}`, httpStatusCode = 400): Error & MetadataBearer {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts: 1, totalRetryDelay: 0 },
  });
}

/** AWS's throttling answer (retried by the SDK's standard retry strategy). */
export function throttling(): Error & MetadataBearer {
  return awsError('ThrottlingException', 'Rate exceeded', 429);
}

/** `UpdateAgentRuntime` and `UpdateAgentRuntimeCommand` name the same operation. */
const commandOf = (context: { commandName?: string }) => String(context.commandName ?? '').replace(/Command$/, '');
const matches = (want: string | undefined, context: { commandName?: string }) => want === undefined || commandOf(context) === want.replace(/Command$/, '');

let ids = 0;
function add(client: SdkClient, middleware: Middleware, step: 'initialize' | 'deserialize', name: string): void {
  client.middlewareStack.add(middleware as never, { step, name: `${name}-${++ids}`, ...(step === 'deserialize' ? { priority: 'low' } : {}) } as never);
}

export interface FaultSpec {
  /** The operation that fails (`UpdateAgentRuntime`); default: every operation of the client. */
  command?: string;
  /** Which of its calls fail, counted from 1 (`[1, 2]`: the first two); default: every call. */
  calls?: number[];
  /** What fails them: an AWS error (see `awsError`, `throttling`). */
  error: Error;
  /** Start counting only once `armed()` says so (e.g. after the setup's own calls). */
  armed?: () => boolean;
}

export interface FaultHandle {
  /** Calls of the operation seen while armed. */
  readonly seen: number;
  /** Of those, how many were failed. */
  readonly failed: number;
}

export function injectFault(client: SdkClient, spec: FaultSpec): FaultHandle {
  const handle = { seen: 0, failed: 0 };
  add(
    client,
    (next, context) => async (args) => {
      if (!matches(spec.command, context) || (spec.armed && !spec.armed())) return next(args);
      handle.seen++;
      if (spec.calls && !spec.calls.includes(handle.seen)) return next(args);
      handle.failed++;
      throw spec.error;
    },
    'deserialize',
    'inject-fault',
  );
  return handle;
}

export interface CapturedCall<I = Record<string, unknown>> {
  command: string;
  input: I;
}

/**
 * Records what the client sends (a deep copy of each input, before serialization). With `answer`,
 * the call never leaves: `answer` stands in for AWS (for services moto does not emulate).
 */
export function captureCalls<I = Record<string, unknown>>(
  client: SdkClient,
  opts: { command?: string; answer?: (call: CapturedCall<I>) => unknown } = {},
): CapturedCall<I>[] {
  const sent: CapturedCall<I>[] = [];
  add(
    client,
    (next, context) => async (args) => {
      if (!matches(opts.command, context)) return next(args);
      const call = { command: commandOf(context), input: structuredClone(args.input) as I };
      sent.push(call);
      if (!opts.answer) return next(args);
      return { output: { $metadata: { httpStatusCode: 200 }, ...(opts.answer(call) as object) } };
    },
    'initialize',
    'capture',
  );
  return sent;
}
