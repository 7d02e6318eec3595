/**
 * The promotion chain of a digest: where it runs, and where each environment got it from,
 * following `promoted_from` (environment, pointer version, audit event) back to the build that
 * was first published. Each link is read from that environment's own audit table.
 */
import { getAuditEvent, listAudit, type RuntimeAuditEvent } from './audit';
import type { RuntimeContext } from './context';

export interface ChainLink {
  env: string;
  digest: string;
  pointer_version?: number;
  event_id?: string;
  at?: string;
  actor?: string;
  outcome?: string;
  /** The link could not be read (environment gone, no access, event missing). */
  missing?: string;
}

const MAX_LINKS = 20;

/** Pure: the newest succeeded publish of `digest` in these events (the start of a chain). */
export function newestSucceededPublish(events: readonly RuntimeAuditEvent[], digest: string): RuntimeAuditEvent | undefined {
  return [...events]
    .filter((e) => e.action === 'publish' && e.outcome === 'succeeded' && e.to_digest === digest)
    .sort((a, b) => (a.event_id < b.event_id ? 1 : -1))[0];
}

const linkOf = (env: string, e: RuntimeAuditEvent): ChainLink => ({
  env,
  digest: e.to_digest,
  pointer_version: e.pointer_version,
  event_id: e.event_id,
  at: e.at,
  actor: e.actor,
  outcome: e.outcome,
});

/** Newest environment first: [prod, staging, dev]. `open` gives a context for another env. */
export async function promotionChain(start: RuntimeContext, digest: string, open: (env: string) => Promise<RuntimeContext>): Promise<ChainLink[]> {
  const first = newestSucceededPublish(await listAudit(start), digest);
  if (!first) return [{ env: start.env, digest, missing: `no succeeded publish of ${digest} in "${start.env}"` }];
  const chain: ChainLink[] = [linkOf(start.env, first)];
  let from = first.promoted_from;
  const seen = new Set([`${start.env}#${first.event_id}`]);
  while (from && chain.length < MAX_LINKS && !seen.has(`${from.env}#${from.event_id}`)) {
    seen.add(`${from.env}#${from.event_id}`);
    let event: RuntimeAuditEvent | undefined;
    try {
      event = await getAuditEvent(await open(from.env), from.event_id);
    } catch (e) {
      chain.push({ env: from.env, digest, pointer_version: from.pointer_version, event_id: from.event_id, missing: (e as Error).message });
      break;
    }
    if (!event) {
      chain.push({
        env: from.env,
        digest,
        pointer_version: from.pointer_version,
        event_id: from.event_id,
        missing: `audit event ${from.event_id} not found in "${from.env}"`,
      });
      break;
    }
    chain.push(linkOf(from.env, event));
    from = event.promoted_from;
  }
  return chain;
}

export function formatChain(digest: string, chain: readonly ChainLink[]): string {
  return [
    `promotion chain of ${digest}:`,
    ...chain.map((l, i) => {
      const where = `${i === 0 ? '  ' : '  ← '}${l.env}`;
      if (l.missing) return `${where}  (${l.missing})`;
      return `${where}  pointer v${l.pointer_version ?? '?'}  ${l.at ?? ''}  by ${l.actor ?? '?'}  (audit ${l.event_id})${i === chain.length - 1 ? '  first published here' : ''}`;
    }),
  ].join('\n');
}
