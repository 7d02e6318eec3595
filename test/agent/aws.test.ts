/**
 * The agent's dependency-free AWS client: its SigV4 signature must be the one AWS computes. moto
 * does not check signatures, so this compares with the AWS SDK's own signer (@smithy/signature-v4)
 * on the same request; and the attribute marshalling with DynamoDB's wire shape.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { marshall, signRequest } from '../../agent/src/aws';

describe('agent SigV4 signing', () => {
  it.each([
    ['long-term credentials', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }],
    ['temporary credentials', { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret/with+chars', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN==' }],
  ])('signs a DynamoDB UpdateItem exactly as the AWS SDK does (%s)', async (_what, credentials) => {
    // Prepare
    const now = new Date('2030-05-06T07:08:09.000Z');
    const url = new URL('https://dynamodb.us-east-1.amazonaws.com/');
    const body = JSON.stringify({ TableName: 't', Key: { task_id: { S: 'task-1' } }, UpdateExpression: 'SET #a = :a', ReturnValues: 'NONE' });
    const base = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.UpdateItem' };
    // Act
    const ours = signRequest({ url, region: 'us-east-1', service: 'dynamodb', body, headers: base, credentials, now });
    const sdk = new SignatureV4({ credentials, region: 'us-east-1', service: 'dynamodb', sha256: Sha256 });
    const { authorization: _ours, ...toSign } = ours;
    const signed = await sdk.sign(
      { method: 'POST', protocol: 'https:', hostname: url.hostname, path: '/', headers: toSign, body, query: {} },
      { signingDate: now, unsignableHeaders: new Set(), signableHeaders: new Set(Object.keys(toSign)) },
    );
    // Assess
    expect(ours.authorization).toBe(signed.headers.authorization);
    expect(ours['x-amz-date']).toBe('20300506T070809Z');
    if ('sessionToken' in credentials) expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
  });
});

describe('agent attribute marshalling', () => {
  it('writes JSON values in DynamoDB attribute-value form, dropping undefined members', () => {
    // Act
    const value = marshall({ s: 'x', n: 3, b: true, z: null, l: ['a', 1], m: { k: 'v', gone: undefined } });
    // Assess
    expect(value).toEqual({
      M: { s: { S: 'x' }, n: { N: '3' }, b: { BOOL: true }, z: { NULL: true }, l: { L: [{ S: 'a' }, { N: '1' }] }, m: { M: { k: { S: 'v' } } } },
    });
  });
});
