/** Append-only audit events: the durable deploy history (SSM keeps only 100 versions). */
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RuntimeContext } from './context';
import type { PromotedFrom } from './promoted-from';

/** `refused`: never started (e.g. the deploy lock was held); nothing was written but this event. */
export type AuditOutcome = 'succeeded' | 'failed' | 'rolled_back' | 'repaired' | 'refused';

export interface RuntimeAuditEvent {
  stream: string;
  event_id: string;
  at: string;
  action: 'publish' | 'rollback' | 'restore' | 'reapply';
  actor: string;
  from_digest?: string;
  to_digest: string;
  pointer_version?: number;
  runtime_version?: string;
  git_commit?: string;
  ci_run_url?: string;
  reason?: string;
  outcome: AuditOutcome;
  error?: string;
  /** Set when the move promoted a digest from another environment (`runtime promote`). */
  promoted_from?: PromotedFrom;
  /** On a succeeded publish: whether a smoke check ran and passed (promotion requires `passed`). */
  smoke?: 'passed' | 'skipped';
  /** fast: `live` moved to a version that already served the digest; forward: a new version. */
  path?: string;
  /** Whether this run moved the `live` endpoint (a failed publish never does). */
  live_moved?: boolean;
  /** The version `live` serves after this event. */
  live_version?: string;
}

export function runtimeStream(env: string): string {
  return `runtime#${env}`;
}

export async function recordAudit(ctx: RuntimeContext, event: Omit<RuntimeAuditEvent, 'stream' | 'event_id' | 'at' | 'actor'>): Promise<RuntimeAuditEvent> {
  const at = new Date().toISOString();
  const item: RuntimeAuditEvent = {
    stream: runtimeStream(ctx.env),
    // Sortable by time; the random suffix keeps two events in one millisecond apart.
    event_id: `${at}#${randomBytes(4).toString('hex')}`,
    at,
    actor: ctx.actor,
    ...event,
  };
  await ctx.clients.doc.send(new PutCommand({ TableName: ctx.platform.tables.audit, Item: item, ConditionExpression: 'attribute_not_exists(event_id)' }));
  return item;
}

/** Newest first. */
export async function listAudit(ctx: RuntimeContext, limit = 1000): Promise<RuntimeAuditEvent[]> {
  const items: RuntimeAuditEvent[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await ctx.clients.doc.send(
      new QueryCommand({
        TableName: ctx.platform.tables.audit,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'stream' },
        ExpressionAttributeValues: { ':s': runtimeStream(ctx.env) },
        ScanIndexForward: false,
        ExclusiveStartKey,
      }),
    );
    items.push(...((out.Items ?? []) as RuntimeAuditEvent[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey && items.length < limit);
  return items.slice(0, limit);
}

/**
 * Last known good: the newest digest, other than `current`, whose publish or rollback succeeded.
 * Failed and rolled-back attempts are skipped; it is not simply "version N-1".
 */
export function lastKnownGood(events: RuntimeAuditEvent[], current: string): string | undefined {
  const newestFirst = [...events].sort((a, b) => (a.event_id < b.event_id ? 1 : -1));
  return newestFirst.find((e) => e.outcome === 'succeeded' && e.to_digest !== current)?.to_digest;
}
