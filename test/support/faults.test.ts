/** The fault-injection helper on a real client against moto: the SDK retries a throttle, not a validation error. */
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsError, captureCalls, injectFault, throttling } from './faults';
import { useMoto } from './moto';

useMoto();

const client = (maxAttempts: number) => new SSMClient({ region: 'us-east-1', maxAttempts });
const NAME = '/faults/test';

describe('injectFault', () => {
  beforeAll(async () => {
    await client(1).send(new PutParameterCommand({ Name: NAME, Value: 'v', Type: 'String', Overwrite: true }));
  });

  it('fails the chosen calls of one operation; the SDK retries a throttle and then succeeds', async () => {
    // Prepare
    const ssm = client(3);
    const faults = injectFault(ssm, { command: 'GetParameter', calls: [1, 2], error: throttling() });
    // Act
    const out = await ssm.send(new GetParameterCommand({ Name: NAME }));
    // Assess
    expect(out.Parameter?.Value).toBe('v');
    expect([faults.seen, faults.failed]).toEqual([3, 2]);
  });

  it('surfaces a non-retryable AWS error by its name, and leaves other operations alone', async () => {
    // Prepare
    const ssm = client(3);
    const faults = injectFault(ssm, { command: 'PutParameter', error: awsError('ParameterLimitExceeded') });
    // Act
    const failure = await ssm.send(new PutParameterCommand({ Name: NAME, Value: 'w', Type: 'String', Overwrite: true })).catch((e: Error) => e.name);
    const read = await ssm.send(new GetParameterCommand({ Name: NAME }));
    // Assess
    expect(failure).toBe('ParameterLimitExceeded');
    expect(faults.failed).toBe(1);
    expect(read.Parameter?.Value).toBe('v');
  });

  it('waits until armed', async () => {
    const ssm = client(1);
    let armed = false;
    const faults = injectFault(ssm, { error: awsError('InternalServerError', 'down', 500), armed: () => armed });
    await ssm.send(new GetParameterCommand({ Name: NAME }));
    armed = true;
    await expect(ssm.send(new GetParameterCommand({ Name: NAME }))).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(faults.seen).toBe(1);
  });
});

describe('captureCalls', () => {
  it('records each input by operation, and can answer instead of AWS', async () => {
    // Prepare
    const ssm = client(1);
    const sent = captureCalls(ssm, { command: 'GetParameter', answer: () => ({ Parameter: { Name: NAME, Value: 'from the test' } }) });
    // Act
    const out = await ssm.send(new GetParameterCommand({ Name: NAME }));
    // Assess
    expect(out.Parameter?.Value).toBe('from the test');
    expect(sent).toEqual([{ command: 'GetParameter', input: { Name: NAME } }]);
  });
});
