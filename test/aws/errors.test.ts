/** Recognising AWS errors by name: the SDK's own exception classes, and lookalikes from another SDK copy. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { awsErrorName, isAwsError, rethrowUnlessAwsError } from '../../src/aws/errors';

describe('AWS error names', () => {
  const sdkError = new ConditionalCheckFailedException({ message: 'the condition failed', $metadata: {} });

  it('names the SDK exception, and a plain object carrying the same name', () => {
    expect(awsErrorName(sdkError)).toBe('ConditionalCheckFailedException');
    expect(isAwsError({ name: 'ConditionalCheckFailedException' }, 'ResourceNotFoundException', 'ConditionalCheckFailedException')).toBe(true);
  });

  it('names nothing for values without a string name', () => {
    expect([undefined, null, 'ConditionalCheckFailedException', 42, { name: 7 }, { name: '' }].map(awsErrorName)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(isAwsError(new Error('x'), 'ConditionalCheckFailedException')).toBe(false);
  });

  it('rethrows everything but the named errors', () => {
    const other = new Error('boom');
    expect(() => rethrowUnlessAwsError(sdkError, 'ConditionalCheckFailedException')).not.toThrow();
    expect(() => rethrowUnlessAwsError(other, 'ConditionalCheckFailedException')).toThrow(other);
  });
});
