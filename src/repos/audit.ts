/**
 * Audit events for the config layer: who changed which repository (or API key), what, and the
 * before/after of what changed. Same table as the runtime's deploy history, its own streams.
 * Never holds a secret: rows carry only the token secret's ARN, and keys only their metadata.
 */
import { createHash, randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type ConfigAuditAction =
  'onboard' | 'restore' | 'update' | 'remove' | 'set_github_token' | 'provisioned' | 'provisioning_failed' | 'api_key_create' | 'api_key_revoke';

export interface ConfigAuditEvent {
  stream: string;
  event_id: string;
  at: string;
  action: ConfigAuditAction;
  actor: string;
  /** `owner/repo` or the API key id. */
  subject: string;
  before?: unknown;
  after?: unknown;
  /** Settings whose value changed (updates). */
  changed?: string[];
  request_id?: string;
  reason?: string;
}

export const reposAuditStream = (env: string) => `repos#${env}`;
export const apiKeysAuditStream = (env: string) => `api-keys#${env}`;

/**
 * A DynamoDB item holds 400 KB and a row may carry 200 KB of Cedar policies: values above this
 * size are recorded as their SHA-256 and length, which still proves what they were.
 */
const MAX_INLINE_BYTES = 8 * 1024;

export function compactForAudit(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const json = JSON.stringify(value);
    return Buffer.byteLength(json) > MAX_INLINE_BYTES ? digest(json) : value;
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      const json = JSON.stringify(v) ?? '';
      return [k, Buffer.byteLength(json) > MAX_INLINE_BYTES ? digest(json) : v];
    }),
  );
}

function digest(json: string): { sha256: string; bytes: number } {
  return { sha256: createHash('sha256').update(json).digest('hex'), bytes: Buffer.byteLength(json) };
}

export class ConfigAudit {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly env: string,
  ) {}

  async record(stream: 'repos' | 'api-keys', event: Omit<ConfigAuditEvent, 'stream' | 'event_id' | 'at'>, now = new Date()): Promise<ConfigAuditEvent> {
    const at = now.toISOString();
    const item: ConfigAuditEvent = {
      stream: stream === 'repos' ? reposAuditStream(this.env) : apiKeysAuditStream(this.env),
      // Sortable by time; the random suffix keeps two events in one millisecond apart.
      event_id: `${at}#${randomBytes(4).toString('hex')}`,
      at,
      ...event,
      before: compactForAudit(event.before),
      after: compactForAudit(event.after),
    };
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(event_id)' }));
    return item;
  }

  /** Newest first. */
  async list(stream: 'repos' | 'api-keys', limit = 100): Promise<ConfigAuditEvent[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'stream' },
        ExpressionAttributeValues: { ':s': stream === 'repos' ? reposAuditStream(this.env) : apiKeysAuditStream(this.env) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []) as ConfigAuditEvent[];
  }
}
