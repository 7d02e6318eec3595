/** Where a promoted image came from (the shape is the audit row's: src/audit/events.ts), as one field of the pointer description. */
import type { PromotedFrom } from '../audit/events';

export type { PromotedFrom } from '../audit/events';

/** `dev@v7#2026-12-01T20:00:00.000Z#1a2b3c4d`: one field of the pointer description. */
export function formatPromotedFrom(p: PromotedFrom): string {
  return `${p.env}@v${p.pointer_version ?? '?'}#${p.event_id}`;
}

/** Inverse of formatPromotedFrom (for pointer versions whose audit event is gone). */
export function parsePromotedFrom(text: string | undefined): PromotedFrom | undefined {
  const m = /^([a-z][a-z0-9-]*)@v(\d+|\?)#(.+)$/.exec(text ?? '');
  if (!m) return undefined;
  return { env: m[1]!, pointer_version: m[2] === '?' ? undefined : Number(m[2]), event_id: m[3]! };
}
