/**
 * The audit log's one store: the only code that writes or reads the audit table. Append-only (a
 * conditional put never overwrites an event); reads are newest first, paged through src/aws/pages.
 * An event that must land with another write is built by `event` and sent by that write's own
 * TransactWriteItems (`putOf`): no change without its event, no event without its change.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, paginateQuery, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { allItems, decodePageToken, encodePageToken, fillPage } from '../aws/pages';
import type { AuditRow } from './events';

/** The fields of an event its writer gives; the store adds the key and the time. */
export type AuditFields<E extends AuditRow> = Omit<E, keyof AuditRow>;

/** One item of a TransactWriteItems that appends an event. */
export interface AuditPut {
  Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string };
}

export interface AuditPage<E> {
  items: E[];
  nextToken?: string;
}

const PageTokenSchema = z.object({ stream: z.string().min(1).max(400), event_id: z.string().min(1).max(100) }).strict();

/** Stops a listing once `limit` items have come: paginators have a page size, not an item bound. */
async function* upTo(pages: AsyncIterable<QueryCommandOutput>, limit: number): AsyncIterable<QueryCommandOutput> {
  let seen = 0;
  for await (const page of pages) {
    yield page;
    seen += page.Items?.length ?? 0;
    if (seen >= limit) return;
  }
}

/** Pure: an event row of `stream`, keyed so events sort by time (the random suffix keeps two in one millisecond apart). */
export function auditEvent<E extends AuditRow>(stream: string, fields: AuditFields<E>, now = new Date()): E {
  const at = now.toISOString();
  return { stream, event_id: `${at}#${randomBytes(4).toString('hex')}`, at, ...fields } as unknown as E;
}

export class AuditStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** The transaction item that appends `event` (never over another event). */
  putOf(event: AuditRow): AuditPut {
    return { Put: { TableName: this.tableName, Item: { ...event }, ConditionExpression: 'attribute_not_exists(event_id)' } };
  }

  /** Appends one event to `stream` on its own and returns the row written. */
  async append<E extends AuditRow>(stream: string, fields: AuditFields<E>, now = new Date()): Promise<E> {
    const item = auditEvent<E>(stream, fields, now);
    await this.doc.send(new PutCommand(this.putOf(item).Put));
    return item;
  }

  /** The newest `limit` events of `stream`, newest first. */
  async list<E extends AuditRow>(stream: string, limit: number): Promise<E[]> {
    const pages = paginateQuery(
      { client: this.doc, pageSize: limit },
      {
        TableName: this.tableName,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'stream' },
        ExpressionAttributeValues: { ':s': stream },
        ScanIndexForward: false,
      },
    );
    const items = await allItems(upTo(pages, limit), (page) => page.Items as E[] | undefined);
    return items.slice(0, limit);
  }

  /**
   * One page of `stream`, newest first, optionally only the events about `subject` (a filter: a
   * sparse one returns a short page with a `nextToken` rather than walking the whole stream).
   */
  async page<E extends AuditRow>(stream: string, opts: { limit: number; nextToken?: string; subject?: string }): Promise<AuditPage<E>> {
    const startKey = opts.nextToken
      ? decodePageToken(opts.nextToken, (json) => {
          const key = PageTokenSchema.safeParse(json);
          return key.success && key.data.stream === stream ? key.data : undefined;
        })
      : undefined;
    const { items, lastKey } = await fillPage<E>(
      (ExclusiveStartKey, Limit) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#s = :s',
            ...(opts.subject ? { FilterExpression: '#subject = :subject' } : {}),
            ExpressionAttributeNames: { '#s': 'stream', ...(opts.subject ? { '#subject': 'subject' } : {}) },
            ExpressionAttributeValues: { ':s': stream, ...(opts.subject ? { ':subject': opts.subject } : {}) },
            ScanIndexForward: false,
            ExclusiveStartKey,
            // A filter drops items after the read: read more than the page needs.
            Limit: opts.subject ? Math.max(Limit, 100) : Limit,
          }),
        ),
      { limit: opts.limit, startKey },
    );
    // A read past the page's end (filters read ahead) continues from the last item returned.
    const page = items.slice(0, opts.limit);
    const last = page.length < items.length ? page[page.length - 1] : undefined;
    const key = last ? { stream, event_id: last.event_id } : lastKey ? { stream, event_id: String(lastKey.event_id) } : undefined;
    return { items: page, ...(key ? { nextToken: encodePageToken(key) } : {}) };
  }

  /** One event by its key. */
  async get<E extends AuditRow>(stream: string, eventId: string): Promise<E | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { stream, event_id: eventId } }));
    return out.Item as E | undefined;
  }
}
