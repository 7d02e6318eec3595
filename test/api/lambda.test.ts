/**
 * The Lambda entry points over moto: the API handler serves the same app from API Gateway proxy
 * events and acts as the gateway's REQUEST authorizer; the provisioner handler takes stream records
 * to active/failed and reports failed records for retry.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../src/aws/clients';
import { handler as apiHandler } from '../../src/handlers/api';
import { handler as provisionerHandler, processStream, type StreamEvent } from '../../src/handlers/provisioner';
import { silentLogger } from '../../src/platform/logging';
import { REPO_COUNTER_KEY } from '../../src/repos/counter';
import { submitTask } from '../../src/tasks';
import { buildProvisionerDeps } from '../../src/wiring/provisioner';
import { taskDeps } from '../../src/wiring/tasks';
import { useApi } from './support';
import { awsError, injectFault } from '../support/faults';

const ENV = 'lambda';
const harness = useApi({ env: ENV, provision: false });
const LAMBDA_CONTEXT = { awsRequestId: 'req-lambda-1', functionName: 'abca-lambda-api' } as never;

beforeAll(() => {
  // What the stack sets on both functions; logs are not under test here.
  process.env.ABCA_ENV = ENV;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});
afterAll(() => {
  delete process.env.ABCA_ENV;
  delete process.env.POWERTOOLS_LOG_LEVEL;
});

function proxyEvent(method: string, path: string, opts: { token?: string; apiKey?: string; body?: unknown; query?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { host: 'abc123.execute-api.us-east-1.amazonaws.com', 'content-type': 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['X-Api-Key'] = opts.apiKey;
  return {
    version: '1.0',
    resource: '/v1/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: opts.query ?? null,
    multiValueQueryStringParameters: opts.query ? Object.fromEntries(Object.entries(opts.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: { proxy: path.replace(/^\/v1\//, '') },
    stageVariables: null,
    requestContext: {
      requestId: 'apigw-req-1',
      stage: 'live',
      path: `/live${path}`,
      httpMethod: method,
      identity: { sourceIp: '203.0.113.9' },
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
    },
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
    isBase64Encoded: false,
  };
}

type ProxyResult = { statusCode: number; multiValueHeaders: Record<string, string[]>; body: string };

describe('API handler (API Gateway proxy integration)', () => {
  it('onboards and reads through the same app, the gateway request id as X-Request-Id', async () => {
    // Prepare
    const h = harness();
    // Act
    const created = (await apiHandler(proxyEvent('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'lambda/one' } }), LAMBDA_CONTEXT)) as ProxyResult;
    const read = (await apiHandler(proxyEvent('GET', '/v1/repos/lambda/one', { token: h.operatorToken }), LAMBDA_CONTEXT)) as ProxyResult;
    const listed = (await apiHandler(
      proxyEvent('GET', '/v1/repos', { token: h.operatorToken, query: { status: 'provisioning' } }),
      LAMBDA_CONTEXT,
    )) as ProxyResult;
    // Assess
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ repo: 'lambda/one', status: 'provisioning', source: 'api' });
    expect(read.statusCode).toBe(200);
    // REST API proxy events carry multi-value headers, and so does the answer.
    expect(read.multiValueHeaders.etag).toEqual(['"1"']);
    expect(read.multiValueHeaders['x-request-id']).toEqual(['apigw-req-1']);
    expect(JSON.parse(listed.body).items.map((r: { repo: string }) => r.repo)).toEqual(['lambda/one']);
  });

  it('answers bad input and missing credentials with the error shape, never a 500', async () => {
    // Act
    const unauth = (await apiHandler(proxyEvent('GET', '/v1/repos'), LAMBDA_CONTEXT)) as ProxyResult;
    const bad = (await apiHandler({ ...proxyEvent('POST', '/v1/repos', { token: harness().adminToken }), body: '{"repo":' }, LAMBDA_CONTEXT)) as ProxyResult;
    // Assess
    expect(unauth.statusCode).toBe(401);
    expect(JSON.parse(unauth.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'INVALID_JSON' } });
  });
});

describe('API handler as REQUEST authorizer', () => {
  const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/live/GET/v1/repos';

  it('allows a valid access token or API key for the method, and names the principal', async () => {
    // Prepare
    const h = harness();
    const key = (
      await h.call<{ api_key: string; key_id: string }>('POST', '/v1/api-keys', { token: h.adminToken, body: { name: 'gw', scopes: ['repos:read'] } })
    ).body;
    // Act
    const byToken = (await apiHandler({ type: 'REQUEST', methodArn, headers: { Authorization: `Bearer ${h.operatorToken}` } }, LAMBDA_CONTEXT)) as Record<
      string,
      unknown
    >;
    const byKey = (await apiHandler({ type: 'REQUEST', methodArn, headers: { 'x-api-key': key.api_key } }, LAMBDA_CONTEXT)) as Record<string, unknown>;
    // Assess
    expect(byToken).toEqual({
      principalId: 'user:oscar',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }] },
      context: { principal_kind: 'user', principal_id: 'oscar' },
    });
    expect(byKey).toMatchObject({ principalId: `api_key:${key.key_id}`, context: { principal_kind: 'api_key' } });
  });

  it('answers Unauthorized (API Gateway: 401) without valid credentials', async () => {
    // Act
    const none = apiHandler({ type: 'REQUEST', methodArn, headers: {} }, LAMBDA_CONTEXT);
    const bad = apiHandler({ type: 'REQUEST', methodArn, headers: { authorization: 'Bearer nope' } }, LAMBDA_CONTEXT);
    const badKey = apiHandler({ type: 'REQUEST', methodArn, headers: { 'X-API-KEY': 'bgak_0123456789abcdef_' + '0'.repeat(64) } }, LAMBDA_CONTEXT);
    // Assess
    await expect(none).rejects.toThrow('Unauthorized');
    await expect(bad).rejects.toThrow('Unauthorized');
    await expect(badKey).rejects.toThrow('Unauthorized');
  });
});

describe('provisioner handler (repos table stream)', () => {
  const record = (repo: string, status: string | undefined, old: string | undefined, seq: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'MODIFY') => ({
    eventID: `e-${seq}`,
    eventName,
    dynamodb: {
      Keys: { repo: { S: repo } },
      ...(status ? { NewImage: { repo: { S: repo }, status: { S: status } } } : {}),
      ...(old ? { OldImage: { repo: { S: repo }, status: { S: old } } } : {}),
      SequenceNumber: seq,
    },
  });

  it('takes a provisioning row to active and ignores the counter, purges and settled rows', async () => {
    // Prepare
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'lambda/two' } });
    const event: StreamEvent = {
      Records: [
        record('lambda/two', 'provisioning', undefined, '100', 'INSERT'),
        record(REPO_COUNTER_KEY, undefined, undefined, '101'),
        record('lambda/gone', undefined, 'removed', '102', 'REMOVE'),
        record('lambda/two', 'active', 'provisioning', '103'),
      ],
    };
    // Act
    const result = await provisionerHandler(event);
    const row = await h.clients.doc.send(new GetCommand({ TableName: h.platform.tables.repos, Key: { repo: 'lambda/two' } }));
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(row.Item).toMatchObject({ status: 'active', version: 1 });
  });

  it('reports the first record that failed, so the stream retries from there', async () => {
    // Prepare: DynamoDB reads fail (fault injected on a real client)
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'lambda/three' } });
    const clients = createClients({ maxAttempts: 1 });
    injectFault(clients.doc, { error: awsError('ProvisionedThroughputExceededException') });
    const deps = buildProvisionerDeps({ env: ENV, platform: h.platform, clients, log: silentLogger() });
    // Act
    const result = await processStream(
      deps,
      { Records: [record('lambda/three', 'provisioning', undefined, '200', 'INSERT'), record('lambda/three', 'provisioning', 'provisioning', '201')] },
      silentLogger(),
    );
    const row = await h.clients.doc.send(new GetCommand({ TableName: h.platform.tables.repos, Key: { repo: 'lambda/three' } }));
    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    expect(row.Item).toMatchObject({ status: 'provisioning' });
  });
});

describe('API handler as task runner ({"abcaRunTask": id}, its own asynchronous invocation)', () => {
  it('runs a SUBMITTED task to a terminal state and answers with it', async () => {
    // Prepare: an active repository and a SUBMITTED task; AgentCore's data plane is not in moto,
    // so the invocation fails and the run must record that, not throw
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'lambda/tasks' } });
    // What the stream-triggered provisioner does for this row (tested above): it becomes active.
    await h.clients.doc.send(
      new UpdateCommand({
        TableName: h.platform.tables.repos,
        Key: { repo: 'lambda/tasks' },
        UpdateExpression: 'SET #s = :a',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':a': 'active' },
      }),
    );
    const { task } = await submitTask(taskDeps(h.platform, h.clients), {
      caller: 'user:test',
      input: { repo: 'lambda/tasks', description: 'Run me' },
    });
    // Act
    const result = (await apiHandler({ abcaRunTask: task.task_id }, LAMBDA_CONTEXT)) as { task_id: string; status: string; status_reason?: string };
    const stored = await h.clients.doc.send(new GetCommand({ TableName: h.platform.tables.tasks, Key: { task_id: task.task_id } }));
    // Assess
    expect(result).toMatchObject({ task_id: task.task_id, status: 'FAILED' });
    expect(result.status_reason).toEqual(expect.any(String));
    expect(stored.Item).toMatchObject({ status: 'FAILED' });
  });
});
