/** The runtime's audit: the durable deploy history (SSM keeps only 100 versions), in the audit table's stream `runtime#<env>`. */
import { AuditStore, type AuditFields } from '../audit/store';
import { runtimeStream, type RuntimeAuditEvent } from '../audit/events';
import type { RuntimeContext } from './context';

export { runtimeStream, type AuditOutcome, type RuntimeAuditEvent } from '../audit/events';

/** The audit store of this environment's table (through the context's DynamoDB client). */
export function auditStore(ctx: RuntimeContext): AuditStore {
  return new AuditStore(ctx.clients.doc, ctx.platform.tables.audit);
}

export async function recordAudit(ctx: RuntimeContext, event: Omit<AuditFields<RuntimeAuditEvent>, 'actor'>): Promise<RuntimeAuditEvent> {
  return auditStore(ctx).append<RuntimeAuditEvent>(runtimeStream(ctx.env), { actor: ctx.actor, ...event });
}

/** Newest first. */
export async function listAudit(ctx: RuntimeContext, limit = 1000): Promise<RuntimeAuditEvent[]> {
  return auditStore(ctx).list<RuntimeAuditEvent>(runtimeStream(ctx.env), limit);
}

/** One event by its id (a link of a promotion chain). */
export async function getAuditEvent(ctx: RuntimeContext, eventId: string): Promise<RuntimeAuditEvent | undefined> {
  return auditStore(ctx).get<RuntimeAuditEvent>(runtimeStream(ctx.env), eventId);
}

/**
 * Last known good: the newest digest, other than `current`, whose publish or rollback succeeded.
 * Failed and rolled-back attempts are skipped; it is not simply "version N-1".
 */
export function lastKnownGood(events: RuntimeAuditEvent[], current: string): string | undefined {
  const newestFirst = [...events].sort((a, b) => (a.event_id < b.event_id ? 1 : -1));
  return newestFirst.find((e) => e.outcome === 'succeeded' && e.to_digest !== current)?.to_digest;
}
