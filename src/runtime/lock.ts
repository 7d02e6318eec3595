/**
 * Per-environment deploy lock: a conditional write with an expiry. A live lock fails fast naming
 * its holder; an expired one (a crashed run) is taken over by a write conditioned on that exact
 * holder and expiry, so two runs cannot both take it over.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../errors';
import type { RuntimeContext } from './context';

export interface HeldLock {
  lockId: string;
  owner: string;
  token: string;
}

interface LockRow {
  lock_id: string;
  owner: string;
  token: string;
  acquired_at: string;
  expires_at: number;
}

export const DEFAULT_LOCK_TTL_MS = 30 * 60 * 1000;

export async function acquireLock(ctx: RuntimeContext, purpose: string, ttlMs = DEFAULT_LOCK_TTL_MS, now = Date.now()): Promise<HeldLock> {
  const table = ctx.platform.tables.locks;
  const lockId = `deploy#${ctx.env}`;
  const row: LockRow = {
    lock_id: lockId,
    owner: `${ctx.actor} (${purpose})`,
    token: randomUUID(),
    acquired_at: new Date(now).toISOString(),
    expires_at: Math.ceil((now + ttlMs) / 1000),
  };
  try {
    await ctx.clients.doc.send(new PutCommand({ TableName: table, Item: row, ConditionExpression: 'attribute_not_exists(lock_id)' }));
    return { lockId, owner: row.owner, token: row.token };
  } catch (e) {
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
  }
  const current = (await ctx.clients.doc.send(new GetCommand({ TableName: table, Key: { lock_id: lockId }, ConsistentRead: true }))).Item as
    LockRow | undefined;
  if (current && current.expires_at * 1000 > now) {
    throw new ConflictError(
      `deploy lock for "${ctx.env}" is held by ${current.owner} since ${current.acquired_at} (expires ${new Date(current.expires_at * 1000).toISOString()}); ` +
        `wait for it, or if that run is dead: aws dynamodb delete-item --table-name ${table} --key '{"lock_id":{"S":"${lockId}"}}'`,
      'LOCK_HELD',
      { holder: current.owner, since: current.acquired_at },
    );
  }
  // Stale (or vanished meanwhile): take it over only if it is still exactly the one we saw.
  try {
    await ctx.clients.doc.send(
      new PutCommand({
        TableName: table,
        Item: row,
        ConditionExpression: current ? '#t = :t AND expires_at = :e' : 'attribute_not_exists(lock_id)',
        ExpressionAttributeNames: current ? { '#t': 'token' } : undefined,
        ExpressionAttributeValues: current ? { ':t': current.token, ':e': current.expires_at } : undefined,
      }),
    );
  } catch (e) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new ConflictError(`deploy lock for "${ctx.env}" was taken by another run just now; try again`, 'LOCK_HELD');
    }
    throw e;
  }
  ctx.log(current ? `took over a stale deploy lock from ${current.owner} (expired ${new Date(current.expires_at * 1000).toISOString()})` : 'deploy lock taken');
  return { lockId, owner: row.owner, token: row.token };
}

export async function releaseLock(ctx: RuntimeContext, lock: HeldLock): Promise<void> {
  await ctx.clients.doc
    .send(
      new DeleteCommand({
        TableName: ctx.platform.tables.locks,
        Key: { lock_id: lock.lockId },
        ConditionExpression: '#t = :t',
        ExpressionAttributeNames: { '#t': 'token' },
        ExpressionAttributeValues: { ':t': lock.token },
      }),
    )
    .catch((e) => {
      // Someone took over our expired lock: theirs now, leave it.
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    });
}
