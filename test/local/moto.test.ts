import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { assertLoopbackEndpoint, resetMoto } from '../../src/local/moto';
import { useMoto } from '../support/moto';

describe('local AWS emulator', () => {
  const moto = useMoto();

  it('serves SSM through the standard AWS_ENDPOINT_URL and forgets everything on reset', async () => {
    // Prepare
    const ssm = new SSMClient({});
    await ssm.send(new PutParameterCommand({ Name: '/t/x', Value: 'v', Type: 'String' }));
    // Act
    await resetMoto(moto.endpoint());
    // Assess
    await expect(ssm.send(new GetParameterCommand({ Name: '/t/x' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  it('makes racing conditional writes atomic, as AWS does: exactly one of 40 wins', async () => {
    // Prepare
    const ddb = new DynamoDBClient({ maxAttempts: 1 });
    await ddb.send(
      new CreateTableCommand({
        TableName: 'race',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
      }),
    );
    const put = (i: number) =>
      ddb.send(new PutItemCommand({ TableName: 'race', Item: { k: { S: 'lock' }, by: { N: String(i) } }, ConditionExpression: 'attribute_not_exists(k)' }));
    // Act
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => put(i)));
    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).name);
    expect(new Set(losers)).toEqual(new Set(['ConditionalCheckFailedException']));
  });

  it.each(['http://127.0.0.1:5000', 'http://localhost:4566', 'http://[::1]:5000'])('accepts loopback endpoint %s', (url) => {
    expect(assertLoopbackEndpoint(url)).toBe(url);
  });

  it.each(['https://ssm.us-east-1.amazonaws.com', 'http://10.0.0.5:5000', 'http://127.0.0.1.evil.com', 'not a url'])(
    'refuses non-loopback endpoint %s',
    (url) => {
      expect(() => assertLoopbackEndpoint(url)).toThrow(/loopback|not a URL/);
    },
  );

  it('refuses when no endpoint is set', () => {
    expect(() => assertLoopbackEndpoint(undefined)).toThrow(/AWS_ENDPOINT_URL is not set/);
  });
});
