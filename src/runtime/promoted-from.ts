/**
 * Where a promoted image came from: recorded in the target's audit event and its pointer
 * version's description, so `history` can follow a digest back environment by environment.
 */
export interface PromotedFrom {
  env: string;
  /** The source pointer version that made the digest live there. */
  pointer_version?: number;
  /** The source audit event (stream `runtime#<env>`) of that publish or promotion. */
  event_id: string;
}

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
