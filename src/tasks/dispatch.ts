/**
 * Where a submitted task is started. The API answers as soon as the row is SUBMITTED; starting it
 * (RUNNING, then InvokeAgentRuntime, which the agent answers at once: seconds, never the agent's
 * run) happens elsewhere:
 * - locally, in the same process, in the background;
 * - in AWS, in an asynchronous invocation of the API function itself (a Lambda freezes once it has
 *   answered), with the event `{"abcaRunTask": "<id>"}`, well inside the function's timeout.
 * Starting twice is harmless: only one dispatcher can move a task from SUBMITTED to RUNNING. A lost
 * dispatch leaves the task SUBMITTED, and the reconciler starts it.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export interface TaskDispatcher {
  dispatch(taskId: string): Promise<void>;
  /** Resolves when every run dispatched so far has finished (local); at once in AWS. */
  idle(): Promise<void>;
}

export interface RunTaskEvent {
  abcaRunTask: string;
}

export function isRunTaskEvent(event: unknown): event is RunTaskEvent {
  return typeof event === 'object' && event !== null && typeof (event as RunTaskEvent).abcaRunTask === 'string';
}

export class InProcessTaskDispatcher implements TaskDispatcher {
  private readonly running = new Set<Promise<unknown>>();
  constructor(
    private readonly run: (taskId: string) => Promise<unknown>,
    private readonly onError: (taskId: string, e: unknown) => void,
  ) {}

  async dispatch(taskId: string): Promise<void> {
    const p: Promise<unknown> = this.run(taskId)
      .catch((e) => this.onError(taskId, e))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}

export class LambdaTaskDispatcher implements TaskDispatcher {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async dispatch(taskId: string): Promise<void> {
    const event: RunTaskEvent = { abcaRunTask: taskId };
    await this.lambda.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
  }

  async idle(): Promise<void> {}
}
