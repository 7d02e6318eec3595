/**
 * The two adapters. moto has no AgentCore data plane, so the AgentCore adapter is tested on a real
 * SDK client whose request is captured by middleware and answered in its place (or handed on to the
 * real agent, the way AgentCore forwards /invocations to the container).
 */
import { Readable } from 'node:stream';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { startAgentServer, type RunningAgent } from '../../agent/src/server';
import { AgentCoreInvoker, HttpAgentInvoker, invokerFromEnv, parseAgentBody } from '../../src/tasks/invoker';
import { rejectionOf } from './helpers';

const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/abca_dev_agent-AbCdEf1234';
const SESSION = `task-${'a'.repeat(32)}`;

interface Captured {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: string;
}

/** The serialized request as the SDK's HttpRequest carries it. */
interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  headers: Record<string, string>;
  body?: unknown;
}

type Answer = (req: Captured) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

/** A real client; the request it would send is captured and `answer` stands in for AWS. */
function clientAnswering(answer: Answer): { client: BedrockAgentCoreClient; sent: Captured[] } {
  const client = new BedrockAgentCoreClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const sent: Captured[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      const req = args.request as SdkRequest;
      const body = req.body instanceof Uint8Array ? Buffer.from(req.body).toString('utf8') : String(req.body ?? '');
      const captured = { method: req.method, path: req.path, query: req.query ?? {}, headers: req.headers, body };
      sent.push(captured);
      const res = await answer(captured);
      return { response: { statusCode: res.statusCode, reason: undefined, headers: res.headers, body: Readable.from([Buffer.from(res.body)]) }, output: undefined as never };
    },
    // After signing, inside the deserializer: the deserializer parses what we answer.
    { step: 'deserialize', priority: 'low', name: 'answerInsteadOfAws' },
  );
  return { client, sent };
}

const json = (statusCode: number, body: unknown, extra: Record<string, string> = {}) =>
  Promise.resolve({ statusCode, headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });

describe('AgentCoreInvoker', () => {
  it('sends InvokeAgentRuntime to the runtime ARN with the session id and the JSON payload, and returns the JSON answer', async () => {
    // Prepare
    const { client, sent } = clientAnswering(() => json(200, { status: 'completed', summary: 'ok' }));
    const invoker = new AgentCoreInvoker({ runtimeArn: ARN, client });
    // Act
    const answer = await invoker.invoke({ sessionId: SESSION, payload: { action: 'run_task', task_id: SESSION } });
    // Assess
    expect(answer).toEqual({ status: 'completed', summary: 'ok' });
    expect(sent).toHaveLength(1);
    const req = sent[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/runtimes/${encodeURIComponent(ARN)}/invocations`);
    expect(req.headers['x-amzn-bedrock-agentcore-runtime-session-id']).toBe(SESSION);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/bedrock-agentcore\/aws4_request/);
    expect(JSON.parse(req.body)).toEqual({ action: 'run_task', task_id: SESSION });
    expect(req.query.qualifier).toBeUndefined();
  });

  it("invokes a RepoConfig's own runtime when the invocation names one, and the qualifier when configured", async () => {
    // Prepare
    const own = ARN.replace('abca_dev_agent-AbCdEf1234', 'team_agent-XyZ9876543');
    const { client, sent } = clientAnswering(() => json(200, {}));
    const invoker = new AgentCoreInvoker({ runtimeArn: ARN, client, qualifier: 'canary' });
    // Act
    await invoker.invoke({ sessionId: SESSION, payload: {}, runtimeArn: own });
    // Assess
    expect(sent[0]!.path).toBe(`/runtimes/${encodeURIComponent(own)}/invocations`);
    expect(sent[0]!.query.qualifier).toBe('canary');
  });

  it('reads a server-sent-events answer: the last data event', async () => {
    // Prepare
    const { client } = clientAnswering(() =>
      Promise.resolve({ statusCode: 200, headers: { 'content-type': 'text/event-stream' }, body: 'data: {"partial":true}\n\ndata: {"status":"completed"}\n\n' }),
    );
    // Act
    const answer = await new AgentCoreInvoker({ runtimeArn: ARN, client }).invoke({ sessionId: SESSION, payload: {} });
    // Assess
    expect(answer).toEqual({ status: 'completed' });
  });

  it('turns an AWS error into AGENT_INVOCATION_FAILED naming the error', async () => {
    // Prepare
    const { client } = clientAnswering(() => json(429, { message: 'Rate exceeded' }, { 'x-amzn-errortype': 'ThrottlingException' }));
    // Act
    const error = await rejectionOf(new AgentCoreInvoker({ runtimeArn: ARN, client }).invoke({ sessionId: SESSION, payload: {} }));
    // Assess
    expect(error).toMatchObject({ code: 'AGENT_INVOCATION_FAILED', exitCode: 1, details: { target: ARN, error: 'ThrottlingException' } });
  });

  it('refuses a session id shorter than AgentCore allows before sending anything', async () => {
    // Prepare
    const { client, sent } = clientAnswering(() => json(200, {}));
    // Act
    const error = await rejectionOf(new AgentCoreInvoker({ runtimeArn: ARN, client }).invoke({ sessionId: 'short', payload: {} }));
    // Assess
    expect(error).toMatchObject({ code: 'INVALID_SESSION_ID', exitCode: 2 });
    expect(sent).toHaveLength(0);
  });

  describe('bridged to the real agent (what AgentCore does with /invocations)', () => {
    let agent: RunningAgent;
    beforeAll(async () => {
      agent = await startAgentServer({ port: 0, buildInfo: { version: '1.0.0', commit: 'c0ffee0', digest: null } });
    });
    afterAll(() => agent.close());

    it('the agent receives the payload and the session header, and its answer comes back', async () => {
      // Prepare
      const { client } = clientAnswering(async (req) => {
        const res = await fetch(`${agent.url}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-amzn-bedrock-agentcore-runtime-session-id': req.headers['x-amzn-bedrock-agentcore-runtime-session-id']! },
          body: req.body,
        });
        return { statusCode: res.status, headers: { 'content-type': res.headers.get('content-type') ?? '' }, body: await res.text() };
      });
      const invoker = new AgentCoreInvoker({ runtimeArn: ARN, client });
      // Act
      const answer = await invoker.invoke({
        sessionId: SESSION,
        payload: { action: 'run_task', task_id: SESSION, repo: 'octo/widgets', description: 'Fix it', config: { model_id: 'm', max_turns: 10 } },
      });
      // Assess
      expect(answer).toMatchObject({ status: 'completed', task_id: SESSION, session_id: SESSION, agent: { commit: 'c0ffee0' } });
    });
  });
});

describe('HttpAgentInvoker', () => {
  let agent: RunningAgent;
  beforeAll(async () => {
    agent = await startAgentServer({ port: 0 });
  });
  afterAll(() => agent.close());

  it('posts to <url>/invocations and returns the answer', async () => {
    // Act
    const answer = await new HttpAgentInvoker(`${agent.url}/`).invoke({ sessionId: SESSION, payload: { action: 'ping' } });
    // Assess
    expect(answer).toMatchObject({ status: 'Healthy' });
  });

  it("reports the agent's own error code when it refuses the payload", async () => {
    // Act
    const error = await rejectionOf(new HttpAgentInvoker(agent.url).invoke({ sessionId: SESSION, payload: { action: 'dance' } }));
    // Assess
    expect(error).toMatchObject({ code: 'AGENT_INVOCATION_FAILED', details: { status: 400 } });
    expect(error.message).toContain('BAD_INVOCATION: unknown action "dance"');
  });

  it('refuses a URL that is not http(s)', () => {
    // Act
    const error = (() => {
      try {
        new HttpAgentInvoker('file:///etc/passwd');
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toMatchObject({ code: 'INVALID_AGENT_URL' });
  });
});

describe('invoker choice and answer parsing', () => {
  it('ABCA_AGENT_URL chooses HTTP; otherwise AgentCore on the runtime ARN; neither is an error', () => {
    // Act
    const http = invokerFromEnv({ runtimeArn: ARN, env: { ABCA_AGENT_URL: 'http://127.0.0.1:8080' } });
    const agentcore = invokerFromEnv({ runtimeArn: ARN, env: {} });
    const neither = (() => {
      try {
        return invokerFromEnv({ env: {} });
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(http).toMatchObject({ kind: 'http', target: 'http://127.0.0.1:8080' });
    expect(agentcore).toMatchObject({ kind: 'agentcore', target: ARN });
    expect(neither).toMatchObject({ code: 'NO_AGENT_RUNTIME' });
  });

  it('an answer that is not JSON is AGENT_INVOCATION_FAILED', () => {
    // Act
    const error = (() => {
      try {
        return parseAgentBody('<html>502</html>', 'text/html');
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toMatchObject({ code: 'AGENT_INVOCATION_FAILED' });
  });
});
