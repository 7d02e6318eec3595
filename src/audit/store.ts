/**
 * The audit table's one store: the only code that writes or reads it. Append-only (a conditional
 * put never overwrites an event); reads are newest first, paged by the SDK's paginator.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, paginateQuery, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { allItems } from '../aws/pages';
import type { AuditRow } from './events';

/** The fields of an event its writer gives; the store adds the key and the time. */
export type AuditFields<E extends AuditRow> = Omit<E, keyof AuditRow>;

/** Stops a listing once `limit` items have come: paginators have a page size, not an item bound. */
async function* upTo(pages: AsyncIterable<QueryCommandOutput>, limit: number): AsyncIterable<QueryCommandOutput> {
  let seen = 0;
  for await (const page of pages) {
    yield page;
    seen += page.Items?.length ?? 0;
    if (seen >= limit) return;
  }
}

export class AuditStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Appends one event to `stream` and returns the row written. */
  async append<E extends AuditRow>(stream: string, fields: AuditFields<E>, now = new Date()): Promise<E> {
    const at = now.toISOString();
    // Sortable by time; the random suffix keeps two events in one millisecond apart.
    const item = { stream, event_id: `${at}#${randomBytes(4).toString('hex')}`, at, ...fields } as unknown as E;
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(event_id)' }));
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

  /** One event by its key. */
  async get<E extends AuditRow>(stream: string, eventId: string): Promise<E | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { stream, event_id: eventId } }));
    return out.Item as E | undefined;
  }
}
