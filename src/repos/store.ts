/**
 * The repos table: RepoConfig rows keyed by canonical `owner/repo`, every write conditional on the
 * version the caller read (optimistic concurrency), plus paginated listing.
 */
import { GetCommand, paginateQuery, paginateScan, QueryCommand, ScanCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { AuditPut } from '../audit/store';
import { rethrowUnlessAwsError } from '../aws/errors';
import { allItems, decodePageToken, encodePageToken, fillPage } from '../aws/pages';
import { releaseSlot, takeSlot } from './counter';
import { REPO_STATUSES, type RepoStatus } from './fields';
import type { RepoConfig } from './repo-config';
import { fromStored } from './upstream';

export const STATUS_INDEX = 'status-index';

/** A conditional write lost against another writer. */
export class StaleWriteError extends Error {
  constructor() {
    super('the row changed since it was read');
    this.name = 'StaleWriteError';
  }
}

/** Every slot of the repository limit is taken. */
export class LimitReachedError extends Error {
  constructor() {
    super('the repository limit is reached');
    this.name = 'LimitReachedError';
  }
}

class NoSlotToRelease extends Error {}

type Condition = { ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> };

export interface ListPage {
  items: RepoConfig[];
  nextToken?: string;
}

const TokenSchema = z.object({ repo: z.string().min(1).max(300), status: z.enum(REPO_STATUSES).optional() }).strict();

export const encodeNextToken = encodePageToken;

/** Decodes a `next_token`, refusing anything this API did not hand out for the same filter. */
export function decodeNextToken(token: string, status?: RepoStatus): Record<string, string> {
  return decodePageToken(token, (json) => {
    const parsed = TokenSchema.safeParse(json);
    return parsed.success && parsed.data.status === status ? (parsed.data as Record<string, string>) : undefined;
  });
}

export class RepoStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /**
   * The row of `repo` (canonical, lower-case). A row keyed in another case (written by upstream's
   * Blueprint construct) is found by a scan of the keys, only when the direct read misses: the table
   * holds at most `max_repos` live rows.
   */
  async get(repo: string): Promise<RepoConfig | undefined> {
    const direct = await this.getExact(repo);
    if (direct) return direct;
    const keys = await allItems(
      paginateScan(
        { client: this.doc },
        { TableName: this.tableName, ProjectionExpression: '#r', ExpressionAttributeNames: { '#r': 'repo' }, ConsistentRead: true },
      ),
      (page) => page.Items as { repo: string }[] | undefined,
    );
    const key = keys.find((k) => k.repo !== repo && k.repo.toLowerCase() === repo)?.repo;
    return key ? this.getExact(key) : undefined;
  }

  private async getExact(repo: string): Promise<RepoConfig | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { repo }, ConsistentRead: true }));
    return out.Item ? fromStored(out.Item) : undefined;
  }

  /**
   * Writes a new row and takes a slot of the limit, in one transaction; `over` is the removed row
   * being restored, if any. LimitReachedError when no slot is free, StaleWriteError when the row is
   * taken (a racing onboarding won). `event` is written in the same transaction.
   */
  async create(row: RepoConfig, maxRepos: number, event: AuditPut, over?: RepoConfig): Promise<void> {
    if (maxRepos <= 0) throw new LimitReachedError();
    const condition: Condition = over
      ? {
          ConditionExpression: '#v = :v AND #s = :removed',
          ExpressionAttributeNames: { '#v': 'version', '#s': 'status' },
          ExpressionAttributeValues: { ':v': over.version, ':removed': 'removed' },
        }
      : { ConditionExpression: 'attribute_not_exists(repo)' };
    await this.transact(
      [takeSlot(this.tableName, maxRepos), { Put: { TableName: this.tableName, Item: row, ...condition } }, event],
      [LimitReachedError, StaleWriteError],
    );
  }

  /** Replaces an API-owned row still at `expectedVersion` and not removed, with its event, in one transaction. */
  async replace(row: RepoConfig, expectedVersion: number, event: AuditPut): Promise<void> {
    await this.transact([{ Put: { TableName: this.tableName, Item: row, ...this.writableAt(expectedVersion) } }, event], [StaleWriteError]);
  }

  /**
   * Writes an imported IaC row with its event: a new row where none is, or over an IaC row still at
   * `expectedVersion`. StaleWriteError when the target changed since the import read it.
   */
  async importRow(row: RepoConfig, expectedVersion: number | undefined, event: AuditPut): Promise<void> {
    const condition: Condition =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(repo)' }
        : {
            ConditionExpression: '#v = :v AND #src = :iac',
            ExpressionAttributeNames: { '#v': 'version', '#src': 'source' },
            ExpressionAttributeValues: { ':v': expectedVersion, ':iac': 'iac' },
          };
    await this.transact([{ Put: { TableName: this.tableName, Item: row, ...condition } }, event], [StaleWriteError]);
  }

  /** Writes the removed row, gives its slot back and writes its event, in one transaction. */
  async remove(row: RepoConfig, expectedVersion: number, event: AuditPut): Promise<void> {
    const put = { Put: { TableName: this.tableName, Item: row, ...this.writableAt(expectedVersion) } };
    try {
      await this.transact([put, releaseSlot(this.tableName), event], [StaleWriteError, NoSlotToRelease]);
    } catch (e) {
      if (!(e instanceof NoSlotToRelease)) throw e;
      // A row the counter never counted (written around the API): removing it must still work.
      await this.transact([put, event], [StaleWriteError]);
    }
  }

  private writableAt(version: number): Condition {
    return {
      ConditionExpression: '#v = :v AND #src = :api AND #s <> :removed',
      ExpressionAttributeNames: { '#v': 'version', '#src': 'source', '#s': 'status' },
      ExpressionAttributeValues: { ':v': version, ':api': 'api', ':removed': 'removed' },
    };
  }

  /** Runs a transaction; a cancelled one throws the error named for the item whose condition failed. */
  private async transact(
    items: ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems'],
    onConditionFailed: (undefined | (new () => Error))[],
  ): Promise<void> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      rethrowUnlessAwsError(e, 'TransactionCanceledException');
      const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      const named = failed >= 0 ? onConditionFailed[failed] : undefined;
      if (named) throw new named();
      throw e;
    }
  }

  /**
   * The provisioner's verdict on a row (`settled`, made from `row` by settledRow), with its event,
   * in one transaction; applied only while that version is still the one being provisioned (a newer
   * change brings its own provisioning). The version does not move: it counts configuration
   * changes, and ETags held by callers stay valid. False when superseded.
   */
  async settle(settled: RepoConfig, event: AuditPut): Promise<boolean> {
    const { status, status_reason: reason, updated_at: at, repo, version } = settled;
    try {
      await this.transact(
        [
          {
            Update: {
              TableName: this.tableName,
              Key: { repo },
              UpdateExpression: reason ? 'SET #s = :s, status_reason = :r, updated_at = :at' : 'SET #s = :s, updated_at = :at REMOVE status_reason',
              ConditionExpression: '#v = :v AND #s = :provisioning',
              ExpressionAttributeNames: { '#s': 'status', '#v': 'version' },
              ExpressionAttributeValues: { ':s': status, ':v': version, ':provisioning': 'provisioning', ':at': at, ...(reason ? { ':r': reason } : {}) },
            },
          },
          event,
        ],
        [StaleWriteError],
      );
      return true;
    } catch (e) {
      if (e instanceof StaleWriteError) return false;
      throw e;
    }
  }

  /** One page: by status through the index, or every non-removed row. */
  async list(opts: { status?: RepoStatus; limit: number; nextToken?: string }): Promise<ListPage> {
    // A filtered scan can return short pages; fillPage reads a few more, bounded.
    const { items, lastKey } = await fillPage<RepoConfig>(
      (ExclusiveStartKey, Limit) =>
        opts.status
          ? this.doc.send(
              new QueryCommand({
                TableName: this.tableName,
                IndexName: STATUS_INDEX,
                KeyConditionExpression: '#s = :s',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':s': opts.status },
                ExclusiveStartKey,
                Limit,
              }),
            )
          : this.doc.send(
              new ScanCommand({
                TableName: this.tableName,
                // Rows only (the limit counter has no status), and not the removed ones.
                FilterExpression: 'attribute_exists(#s) AND #s <> :removed',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':removed': 'removed' },
                ExclusiveStartKey,
                Limit,
              }),
            ),
      { limit: opts.limit, startKey: opts.nextToken ? decodeNextToken(opts.nextToken, opts.status) : undefined },
    );
    return {
      items: items.map((i) => fromStored(i as unknown as Record<string, unknown>)),
      nextToken: lastKey ? encodeNextToken(opts.status ? { repo: String(lastKey.repo), status: opts.status } : { repo: String(lastKey.repo) }) : undefined,
    };
  }

  /** Every row in one status (the provisioner's view of what is live). */
  async allWithStatus(status: RepoStatus): Promise<RepoConfig[]> {
    return allItems(
      paginateQuery(
        { client: this.doc },
        {
          TableName: this.tableName,
          IndexName: STATUS_INDEX,
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status },
        },
      ),
      (page) => page.Items?.map(fromStored),
    );
  }
}
