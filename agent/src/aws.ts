/**
 * The one AWS call the agent makes, DynamoDB UpdateItem on its task row, with no SDK: the image
 * carries only Node and this code. SigV4 signing and the standard credential sources (environment,
 * then the container credentials endpoint) are implemented here; the endpoint honours
 * AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL like the SDKs, so a local emulator works unchanged.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; refreshed a minute before. */
  expiresAt?: number;
}

export type CredentialSource = () => Promise<Credentials>;

/** IMDSv2: the instance role's credentials, where the runtime offers no container endpoint. */
async function imdsCredentials(): Promise<{ AccessKeyId: string; SecretAccessKey: string; Token?: string; Expiration?: string }> {
  const base = 'http://169.254.169.254/latest';
  const signal = () => AbortSignal.timeout(2000);
  const token = await (
    await fetch(`${base}/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }, signal: signal() })
  ).text();
  const headers = { 'x-aws-ec2-metadata-token': token };
  const role = (await (await fetch(`${base}/meta-data/iam/security-credentials/`, { headers, signal: signal() })).text()).split('\n')[0]!.trim();
  const res = await fetch(`${base}/meta-data/iam/security-credentials/${role}`, { headers, signal: signal() });
  if (!res.ok) throw new Error(`instance metadata answered ${res.status}`);
  return (await res.json()) as { AccessKeyId: string; SecretAccessKey: string; Token?: string; Expiration?: string };
}

/**
 * AWS_ACCESS_KEY_ID/SECRET, else AWS_CONTAINER_CREDENTIALS_FULL_URI / RELATIVE_URI, else IMDSv2
 * (the SDKs' order for these sources), cached until a minute before they expire.
 */
export function defaultCredentials(env: NodeJS.ProcessEnv = process.env): CredentialSource {
  let cached: Credentials | undefined;
  return async () => {
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
    }
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - Date.now() > 60_000)) return cached;
    const url =
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
      (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ? `http://169.254.170.2${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}` : undefined);
    let body: { AccessKeyId: string; SecretAccessKey: string; Token?: string; Expiration?: string };
    if (url) {
      const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
        ? readFileSync(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, 'utf8').trim()
        : env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
      const res = await fetch(url, { headers: token ? { authorization: token } : {}, signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`container credentials endpoint answered ${res.status}`);
      body = (await res.json()) as typeof body;
    } else {
      try {
        body = await imdsCredentials();
      } catch (e) {
        throw new Error(`no AWS credentials: no AWS_ACCESS_KEY_ID, no container credentials endpoint, and instance metadata failed (${(e as Error).message})`, {
          cause: e,
        });
      }
    }
    cached = {
      accessKeyId: body.AccessKeyId,
      secretAccessKey: body.SecretAccessKey,
      sessionToken: body.Token,
      expiresAt: body.Expiration ? Date.parse(body.Expiration) : undefined,
    };
    return cached;
  };
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** SigV4 headers for a POST of `body` to `url` (AWS JSON protocols: path "/", no query). */
export function signRequest(opts: {
  url: URL;
  region: string;
  service: string;
  body: string;
  headers: Record<string, string>;
  credentials: Credentials;
  now?: Date;
}): Record<string, string> {
  const now = opts.now ?? new Date();
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...opts.headers, host: opts.url.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': sha256(opts.body) };
  if (opts.credentials.sessionToken) headers['x-amz-security-token'] = opts.credentials.sessionToken;
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = ['POST', opts.url.pathname || '/', '', ...names.map((n) => `${n}:${lower[n]}`), '', names.join(';'), lower['x-amz-content-sha256']].join(
    '\n',
  );
  const scope = `${day}/${opts.region}/${opts.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.credentials.secretAccessKey}`, day), opts.region), opts.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${opts.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

export type AttributeValue =
  { S: string } | { N: string } | { BOOL: boolean } | { NULL: true } | { L: AttributeValue[] } | { M: Record<string, AttributeValue> };

/** Plain JSON → DynamoDB attribute values (undefined members dropped, as the SDK's removeUndefinedValues does). */
export function marshall(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(marshall) };
  if (typeof value === 'object') {
    return {
      M: Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, marshall(v)]),
      ),
    };
  }
  throw new Error(`cannot store a ${typeof value} in DynamoDB`);
}

export class ConditionFailed extends Error {
  override readonly name = 'ConditionFailed';
}

export interface UpdateItemInput {
  TableName: string;
  Key: Record<string, unknown>;
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

export class DynamoDb {
  private readonly endpoint: URL;
  constructor(
    private readonly region: string,
    private readonly credentials: CredentialSource = defaultCredentials(),
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.endpoint = new URL(env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL || `https://dynamodb.${region}.amazonaws.com`);
  }

  /** UpdateItem with ReturnValues NONE; a failed condition is ConditionFailed. */
  async updateItem(input: UpdateItemInput): Promise<void> {
    const body = JSON.stringify({
      TableName: input.TableName,
      Key: Object.fromEntries(Object.entries(input.Key).map(([k, v]) => [k, marshall(v)])),
      UpdateExpression: input.UpdateExpression,
      ...(input.ConditionExpression ? { ConditionExpression: input.ConditionExpression } : {}),
      ...(input.ExpressionAttributeNames ? { ExpressionAttributeNames: input.ExpressionAttributeNames } : {}),
      ...(input.ExpressionAttributeValues
        ? { ExpressionAttributeValues: Object.fromEntries(Object.entries(input.ExpressionAttributeValues).map(([k, v]) => [k, marshall(v)])) }
        : {}),
      ReturnValues: 'NONE',
    });
    const headers = signRequest({
      url: this.endpoint,
      region: this.region,
      service: 'dynamodb',
      body,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.UpdateItem' },
      credentials: await this.credentials(),
    });
    const res = await fetch(this.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    if (res.ok) return;
    const text = await res.text();
    let type = '';
    try {
      type = String((JSON.parse(text) as { __type?: string }).__type ?? '');
    } catch {
      // not JSON
    }
    if (type.endsWith('ConditionalCheckFailedException')) throw new ConditionFailed('the task row is no longer ours to write');
    throw new Error(`DynamoDB UpdateItem answered ${res.status}: ${text.slice(0, 200)}`);
  }
}

/** The text of an element of an STS answer (XML), unescaped. */
function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Credentials of a role assumed with session tags (STS AssumeRole, query protocol), refreshed before
 * they expire. Role chaining caps a session at an hour, so a long task re-assumes (as upstream does).
 */
export function assumedRoleCredentials(opts: {
  region: string;
  roleArn: string;
  sessionName: string;
  tags: Record<string, string>;
  base?: CredentialSource;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}): CredentialSource {
  const env = opts.env ?? process.env;
  const base = opts.base ?? defaultCredentials(env);
  const now = opts.now ?? Date.now;
  const endpoint = new URL(env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || `https://sts.${opts.region}.amazonaws.com`);
  let cached: Credentials | undefined;
  return async () => {
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - now() > 5 * 60_000)) return cached;
    const params = new URLSearchParams({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: opts.roleArn,
      RoleSessionName: opts.sessionName,
      DurationSeconds: '3600',
    });
    Object.entries(opts.tags).forEach(([k, v], i) => {
      params.set(`Tags.member.${i + 1}.Key`, k);
      params.set(`Tags.member.${i + 1}.Value`, v);
    });
    const body = params.toString();
    const headers = signRequest({
      url: endpoint,
      region: opts.region,
      service: 'sts',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      credentials: await base(),
    });
    const res = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    const xml = await res.text();
    const accessKeyId = xmlText(xml, 'AccessKeyId');
    const secretAccessKey = xmlText(xml, 'SecretAccessKey');
    // Fail closed: never fall back to the runtime role's own credentials (they reach no task row anyway).
    if (!res.ok || !accessKeyId || !secretAccessKey)
      throw new Error(`AssumeRole ${opts.roleArn} answered ${res.status}: ${(xmlText(xml, 'Message') ?? xml).slice(0, 200)}`);
    const expiration = xmlText(xml, 'Expiration');
    cached = { accessKeyId, secretAccessKey, sessionToken: xmlText(xml, 'SessionToken'), ...(expiration ? { expiresAt: Date.parse(expiration) } : {}) };
    return cached;
  };
}
