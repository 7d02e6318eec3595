/**
 * The repository limit (`max_repos` in the guardrails), enforced atomically with a conditional
 * counter: a slot is reserved with one conditional UpdateItem (`count < max`) before the row is
 * written, and released if the row write fails or the row is removed. However many onboardings
 * race, DynamoDB serializes the reservations, so the limit cannot be overshot.
 *
 * Why not one TransactWriteItems (counter + row)? It is equally atomic in DynamoDB, but moto's
 * emulation of transactions is not isolated under concurrency (a failed transaction restores a
 * snapshot of the whole table, undoing writes that landed in between), so it could not be tested
 * honestly against the local emulator. The cost of this design: a crash between reserving and
 * writing leaks a slot (the counter reads high, never low), which errs on the safe side.
 *
 * Counted: API-onboarded rows that are not removed. Blueprint rows (`source: iac`) are declared by
 * the platform owner in IaC and do not take slots.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The counter's key in the repos table: not a valid `owner/repo`, so it never collides with a row. */
export const REPO_COUNTER_KEY = '#repo-count';

export class RepoCounter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Takes a slot if fewer than `max` are taken; false when the limit is reached. */
  async reserve(max: number): Promise<boolean> {
    if (max <= 0) return false;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { repo: REPO_COUNTER_KEY },
          UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
          ExpressionAttributeNames: { '#n': 'active_repos' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max },
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  /** Gives a slot back (never below zero). */
  async release(): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { repo: REPO_COUNTER_KEY },
          UpdateExpression: 'SET #n = #n - :one',
          ConditionExpression: '#n > :zero',
          ExpressionAttributeNames: { '#n': 'active_repos' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  }

  async current(): Promise<number> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { repo: REPO_COUNTER_KEY }, ConsistentRead: true }));
    return Number(out.Item?.active_repos ?? 0);
  }
}
