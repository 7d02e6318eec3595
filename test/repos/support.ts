/**
 * Helpers of the repository-configuration tests: a fault that makes every write to the audit table
 * fail in DynamoDB itself (its condition can never hold), whether the event is written alone or in
 * a transaction with its row, and a listing of one stream's events.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConfigAuditEvent } from '../../src/audit/events';

type Item = { Put?: { TableName?: string; ConditionExpression?: string } };

type Write = { TableName?: string; ConditionExpression?: string; TransactItems?: (Item & { Update?: unknown })[] };

/**
 * While `armed(input)` holds for a write, every put of an event into `auditTable` it carries gets a
 * condition that fails (`attribute_exists(event_id)` on a new key): DynamoDB, not the test, refuses it.
 */
export function failAuditWrites(doc: DynamoDBDocumentClient, auditTable: string, armed: (write: Write) => boolean): void {
  const poison = (put: Item['Put']) => {
    if (put?.TableName === auditTable) put.ConditionExpression = 'attribute_exists(event_id)';
  };
  doc.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Write;
      if (armed(input)) {
        if (input.TransactItems) for (const item of input.TransactItems) poison(item.Put);
        else poison(input);
      }
      return next(args);
    },
    { step: 'initialize', name: `fail-audit-writes-${Math.random()}` },
  );
}

/** Every event of `stream`, oldest first. */
export async function streamEvents(doc: DynamoDBDocumentClient, auditTable: string, stream: string): Promise<ConfigAuditEvent[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: auditTable,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'stream' },
      ExpressionAttributeValues: { ':s': stream },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as ConfigAuditEvent[];
}
