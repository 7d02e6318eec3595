/**
 * Per-environment deploy lock: a conditional write with an expiry. A live lock fails fast naming
 * its holder; an expired one (a crashed run) is taken over by a write conditioned on that exact
 * holder and expiry, so two runs cannot both take it over.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../aws/errors';
import { ConflictError } from '../errors';
import type { RuntimeContext } from './context';

export interface HeldLock {
  lockId: string;
  owner: string;
  token: string;
}

export interface LockRow {
  lock_id: string;
  owner: string;
  token: string;
  acquired_at: string;
  expires_at: number;
}

export const DEFAULT_LOCK_TTL_MS = 30 * 60 * 1000;

/** The locks table's one store: take, read and release a lock row. */
export class LockStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  get table(): string {
    return this.tableName;
  }

  /**
   * Writes `row` if no lock is there, or if the one there is still exactly `replacing` (a stale
   * lock being taken over). False when the condition failed: someone else holds it.
   */
  async put(row: LockRow, replacing?: LockRow): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: row,
          ConditionExpression: replacing ? '#t = :t AND expires_at = :e' : 'attribute_not_exists(lock_id)',
          ExpressionAttributeNames: replacing ? { '#t': 'token' } : undefined,
          ExpressionAttributeValues: replacing ? { ':t': replacing.token, ':e': replacing.expires_at } : undefined,
        }),
      );
      return true;
    } catch (e) {
      if (isAwsError(e, 'ConditionalCheckFailedException')) return false;
      throw e;
    }
  }

  async get(lockId: string): Promise<LockRow | undefined> {
    return (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { lock_id: lockId }, ConsistentRead: true }))).Item as LockRow | undefined;
  }

  /** Deletes the lock only while it is still ours (same token). */
  async release(lock: HeldLock): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { lock_id: lock.lockId },
          ConditionExpression: '#t = :t',
          ExpressionAttributeNames: { '#t': 'token' },
          ExpressionAttributeValues: { ':t': lock.token },
        }),
      );
    } catch (e) {
      // Someone took over our expired lock: theirs now, leave it.
      if (!isAwsError(e, 'ConditionalCheckFailedException')) throw e;
    }
  }
}

export function lockStore(ctx: RuntimeContext): LockStore {
  return new LockStore(ctx.clients.doc, ctx.platform.tables.locks);
}

export async function acquireLock(ctx: RuntimeContext, purpose: string, ttlMs = DEFAULT_LOCK_TTL_MS, now = Date.now()): Promise<HeldLock> {
  const locks = lockStore(ctx);
  const lockId = `deploy#${ctx.env}`;
  const row: LockRow = {
    lock_id: lockId,
    owner: `${ctx.actor} (${purpose})`,
    token: randomUUID(),
    acquired_at: new Date(now).toISOString(),
    expires_at: Math.ceil((now + ttlMs) / 1000),
  };
  const held = { lockId, owner: row.owner, token: row.token };
  if (await locks.put(row)) return held;
  const current = await locks.get(lockId);
  if (current && current.expires_at * 1000 > now) {
    throw new ConflictError(
      `deploy lock for "${ctx.env}" is held by ${current.owner} since ${current.acquired_at} (expires ${new Date(current.expires_at * 1000).toISOString()}); ` +
        `wait for it, or if that run is dead: aws dynamodb delete-item --table-name ${locks.table} --key '{"lock_id":{"S":"${lockId}"}}'`,
      'LOCK_HELD',
      { holder: current.owner, since: current.acquired_at },
    );
  }
  // Stale (or vanished meanwhile): take it over only if it is still exactly the one we saw.
  if (!(await locks.put(row, current))) throw new ConflictError(`deploy lock for "${ctx.env}" was taken by another run just now; try again`, 'LOCK_HELD');
  ctx.log(current ? `took over a stale deploy lock from ${current.owner} (expired ${new Date(current.expires_at * 1000).toISOString()})` : 'deploy lock taken');
  return held;
}

export async function releaseLock(ctx: RuntimeContext, lock: HeldLock): Promise<void> {
  await lockStore(ctx).release(lock);
}
