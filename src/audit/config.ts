/**
 * The config layer's events (repositories, API keys, policy parameters): who changed what, and the
 * before/after of what changed. Written and read through the audit log's one store. Never holds a
 * secret: rows carry only the token secret's ARN, and even that is shown only as "changed".
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { compactForAudit } from './changes';
import { auditStream, type ConfigAuditEvent } from './events';
import { auditEvent, AuditStore, type AuditFields, type AuditPage, type AuditPut } from './store';

export { compactForAudit, fieldChanges, isStandIn, SECRET_FIELDS } from './changes';

export type ConfigKind = 'repos' | 'api-keys' | 'policy';

/** The config layer's view of the audit log (one environment). */
export class ConfigAudit {
  readonly store: AuditStore;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    private readonly env: string,
  ) {
    this.store = new AuditStore(doc, tableName);
  }

  stream(kind: ConfigKind): string {
    return auditStream(kind, this.env);
  }

  /** Pure: the event row (values compacted, secrets masked), to be written with its change. */
  event(kind: ConfigKind, event: AuditFields<ConfigAuditEvent>, now = new Date()): ConfigAuditEvent {
    return auditEvent<ConfigAuditEvent>(this.stream(kind), { ...event, before: compactForAudit(event.before), after: compactForAudit(event.after) }, now);
  }

  /** The transaction item that writes `event`. */
  putOf(event: ConfigAuditEvent): AuditPut {
    return this.store.putOf(event);
  }

  /** Writes an event on its own (a change with no row of ours to write with it, e.g. an API key's). */
  async record(kind: ConfigKind, event: AuditFields<ConfigAuditEvent>, now = new Date()): Promise<ConfigAuditEvent> {
    return this.store.append<ConfigAuditEvent>(
      this.stream(kind),
      { ...event, before: compactForAudit(event.before), after: compactForAudit(event.after) },
      now,
    );
  }

  /** Newest first. */
  async list(kind: ConfigKind, limit = 100): Promise<ConfigAuditEvent[]> {
    return this.store.list<ConfigAuditEvent>(this.stream(kind), limit);
  }

  /** One page of one subject's events (a repository's history), newest first. */
  async history(kind: ConfigKind, subject: string, opts: { limit: number; nextToken?: string }): Promise<AuditPage<ConfigAuditEvent>> {
    return this.store.page<ConfigAuditEvent>(this.stream(kind), { ...opts, subject });
  }
}
