/**
 * Audit events for the config layer: who changed which repository (or API key), what, and the
 * before/after of what changed. Same table as the runtime's deploy history, its own streams.
 * Never holds a secret: rows carry only the token secret's ARN, and keys only their metadata.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiKeysAuditStream, reposAuditStream, type ConfigAuditEvent } from '../audit/events';
import { AuditStore, type AuditFields } from '../audit/store';

export { apiKeysAuditStream, reposAuditStream, type ConfigAuditAction, type ConfigAuditEvent } from '../audit/events';

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

/** The config layer's events, written and read through the audit table's one store. */
export class ConfigAudit {
  private readonly store: AuditStore;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    private readonly env: string,
  ) {
    this.store = new AuditStore(doc, tableName);
  }

  private stream(stream: 'repos' | 'api-keys'): string {
    return stream === 'repos' ? reposAuditStream(this.env) : apiKeysAuditStream(this.env);
  }

  async record(stream: 'repos' | 'api-keys', event: AuditFields<ConfigAuditEvent>, now = new Date()): Promise<ConfigAuditEvent> {
    return this.store.append<ConfigAuditEvent>(
      this.stream(stream),
      { ...event, before: compactForAudit(event.before), after: compactForAudit(event.after) },
      now,
    );
  }

  /** Newest first. */
  async list(stream: 'repos' | 'api-keys', limit = 100): Promise<ConfigAuditEvent[]> {
    return this.store.list<ConfigAuditEvent>(this.stream(stream), limit);
  }
}
