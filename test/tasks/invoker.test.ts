/**
 * The invoker's requests as AWS receives them: a real SDK client whose serialized request is
 * captured by middleware and answered in its place (the wire shape, header by header). Behaviour
 * end to end goes through the local data plane (data-plane.test.ts, orchestrator.test.ts).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';
import { agentCoreDataClient } from '../../src/aws/clients';
import { AgentCoreInvoker, parseAgentBody, stopClientToken } from '../../src/tasks/invoker';
import { rejectionOf } from './support';

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
      return {
        response: { statusCode: res.statusCode, reason: undefined, headers: res.headers, body: Readable.from([Buffer.from(res.body)]) },
        output: undefined as never,
      };
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
      Promise.resolve({
        statusCode: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: 'data: {"partial":true}\n\ndata: {"status":"completed"}\n\n',
      }),
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

  it('stops a session with StopRuntimeSession: session header, qualifier, an idempotent clientToken; a gone session is not_found', async () => {
    // Prepare
    let answer = json(200, {});
    const { client, sent } = clientAnswering(() => answer);
    const invoker = new AgentCoreInvoker({ runtimeArn: ARN, client, qualifier: 'live' });
    // Act
    const stopped = await invoker.stopSession({ sessionId: SESSION });
    answer = json(404, { message: 'no session' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
    const gone = await invoker.stopSession({ sessionId: SESSION });
    // Assess
    expect(stopped).toBe('stopped');
    expect(gone).toBe('not_found');
    const req = sent[0]!;
    expect(req.path).toBe(`/runtimes/${encodeURIComponent(ARN)}/stopruntimesession`);
    expect(req.query.qualifier).toBe('live');
    expect(req.headers['x-amzn-bedrock-agentcore-runtime-session-id']).toBe(SESSION);
    expect(JSON.parse(req.body)).toEqual({ clientToken: stopClientToken(SESSION) });
    expect(stopClientToken(SESSION)).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){32,255}$/);
    expect(JSON.parse(sent[1]!.body)).toEqual(JSON.parse(req.body));
  });

  it('gives up within its client timeout when the data plane does not answer', async () => {
    // Prepare: an endpoint that accepts and never answers
    const hang = http.createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    const saved = process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE;
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    try {
      // Act
      const error = await rejectionOf(new AgentCoreInvoker({ runtimeArn: ARN, client: agentCoreDataClient(300) }).invoke({ sessionId: SESSION, payload: {} }));
      // Assess
      expect(error).toMatchObject({ code: 'AGENT_INVOCATION_FAILED' });
      expect(String(error.message)).toMatch(/timeout|Timeout|socket/i);
    } finally {
      process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = saved;
      hang.closeAllConnections();
      hang.close();
    }
  });
});

describe('invoker choice and answer parsing', () => {
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
