/**
 * What a config event records of a change, as values: the changed fields old → new, large values as
 * their digest, secret references as "changed". Pure (no SDK), so the CLI's diff uses it too.
 */
import { createHash } from 'node:crypto';
import { SECRET_CHANGED } from './events';

/**
 * A DynamoDB item holds 400 KB and a row may carry 200 KB of Cedar policies: values above this
 * size are recorded as their SHA-256 and length, which still proves what they were.
 */
const MAX_INLINE_BYTES = 8 * 1024;

/** Fields that reference a secret: an event says that they changed, never to what. */
export const SECRET_FIELDS: readonly string[] = ['github_token_secret_arn'];

export function compactForAudit(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const json = JSON.stringify(value);
    return Buffer.byteLength(json) > MAX_INLINE_BYTES ? digest(json) : value;
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      if (SECRET_FIELDS.includes(k) && v !== undefined && v !== null) return [k, SECRET_CHANGED];
      const json = JSON.stringify(v) ?? '';
      return [k, Buffer.byteLength(json) > MAX_INLINE_BYTES ? digest(json) : v];
    }),
  );
}

/** Pure: is this value in an event a stand-in (a digest of a large value, or a secret's mark) rather than the value? */
export function isStandIn(field: string, value: unknown): boolean {
  if (SECRET_FIELDS.includes(field)) return value !== null && value !== undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'sha256' in value && 'bytes' in value && Object.keys(value).length === 2;
}

function digest(json: string): { sha256: string; bytes: number } {
  return { sha256: createHash('sha256').update(json).digest('hex'), bytes: Buffer.byteLength(json) };
}

/**
 * Pure: the fields whose values differ between two settings objects (absent and null are the same),
 * with each one's old and new value (`null` for absent), sorted by name.
 */
export function fieldChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { changed: string[]; before: Record<string, unknown>; after: Record<string, unknown> } {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = fields.filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null));
  return {
    changed,
    before: Object.fromEntries(changed.map((f) => [f, before[f] ?? null])),
    after: Object.fromEntries(changed.map((f) => [f, after[f] ?? null])),
  };
}
