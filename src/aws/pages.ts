/**
 * Paged DynamoDB reads for list endpoints: fill one page across reads that a filter may cut short
 * (bounded, so a sparse filter returns a next_token instead of walking the whole table), and carry
 * the position in an opaque `next_token`.
 */
import { ValidationError } from '../errors';

export type PageKey = Record<string, unknown>;

export interface PageRead {
  Items?: Record<string, unknown>[];
  LastEvaluatedKey?: PageKey;
}

export async function fillPage<T>(
  read: (startKey: PageKey | undefined, limit: number) => Promise<PageRead>,
  opts: { limit: number; startKey?: PageKey; maxReads?: number },
): Promise<{ items: T[]; lastKey?: PageKey }> {
  const items: T[] = [];
  let startKey = opts.startKey;
  for (let reads = 0; reads < (opts.maxReads ?? 10) && items.length < opts.limit; reads++) {
    const out = await read(startKey, opts.limit - items.length);
    items.push(...((out.Items ?? []) as T[]));
    startKey = out.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, lastKey: startKey };
}

export function encodePageToken(key: PageKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a `next_token`; `accept` returns the key only if this listing could have handed it out
 * (same filter, expected attributes). Anything else is INVALID_NEXT_TOKEN, never a raw key.
 */
export function decodePageToken(
  token: string,
  accept: (json: unknown) => Record<string, string> | undefined,
  message = 'next_token is not one this API returned for this query',
): Record<string, string> {
  const bad = () => new ValidationError(message, 'INVALID_NEXT_TOKEN');
  if (token.length > 600 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const key = accept(json);
  if (!key) throw bad();
  return key;
}

/**
 * Every item of a token-paged AWS listing, read through the SDK's own paginator:
 * `await allItems(paginateGetParameterHistory({ client: ssm }, { Name }), (page) => page.Parameters)`.
 * `maxPages` bounds a listing that should be small (a runaway loop is a bug, not a long wait).
 */
export async function allItems<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined, opts: { maxPages?: number } = {}): Promise<T[]> {
  const out: T[] = [];
  let n = 0;
  for await (const page of pages) {
    out.push(...(items(page) ?? []));
    if (++n >= (opts.maxPages ?? 1000)) break;
  }
  return out;
}
