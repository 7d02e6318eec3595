/**
 * The repository limit (`max_repos` in the guardrails), enforced atomically: a counter item in the
 * repos table moves in the same DynamoDB transaction as the row it counts. Onboarding takes a slot
 * only if fewer than `max` are taken (a condition on the counter) and only if the row can be
 * written; removal gives the slot back with the row's change. However many onboardings race,
 * the limit cannot be overshot, and no crash can leave the count and the rows apart.
 *
 * Counted: API-onboarded rows that are not removed. Blueprint rows (`source: iac`) are declared by
 * the platform owner in IaC and do not take slots.
 */
import { GetCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** The counter's key in the repos table: not a valid `owner/repo`, so it never collides with a row. */
export const REPO_COUNTER_KEY = '#repo-count';
const COUNT = 'active_repos';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Transaction item: take a slot, if fewer than `max` are taken. */
export function takeSlot(tableName: string, max: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { repo: REPO_COUNTER_KEY },
      UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
      ExpressionAttributeNames: { '#n': COUNT },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max },
    },
  };
}

/** Transaction item: give a slot back. */
export function releaseSlot(tableName: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { repo: REPO_COUNTER_KEY },
      UpdateExpression: 'SET #n = #n - :one',
      ConditionExpression: '#n > :zero',
      ExpressionAttributeNames: { '#n': COUNT },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
    },
  };
}

/** Reads the count (operators, tests). */
export class RepoCounter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async current(): Promise<number> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { repo: REPO_COUNTER_KEY }, ConsistentRead: true }));
    return Number(out.Item?.[COUNT] ?? 0);
  }
}
