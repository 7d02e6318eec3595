/**
 * Scoped API keys: `bgak_<id>_<secret>`. Only a SHA-256 of the secret is stored; the secret has
 * 256 random bits, so a fast hash is enough (nothing to brute-force). Revocation is a timestamp,
 * checked on every request with a consistent read so it takes effect at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GetCommand, paginateScan, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { rethrowUnlessAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import { NotFoundError, ValidationError } from '../errors';
import { API_KEY_SCOPES, type ApiKeyScope, type Principal } from './principal';
import { UnauthorizedError } from './errors';

export const API_KEY_PREFIX = 'bgak';
const KEY_ID = /^[a-f0-9]{16}$/;
const API_KEY = /^bgak_([a-f0-9]{16})_([a-f0-9]{64})$/;

export const ApiKeyCreateSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, spaces, ".", "_" and "-", starting with a letter or digit'),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1)
      .max(API_KEY_SCOPES.length)
      .refine((s) => new Set(s).size === s.length, { message: 'scopes must not repeat' }),
    /** Optional end of validity (ISO 8601 with a time zone); at most MAX_KEY_LIFETIME_DAYS ahead. */
    expires_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-31T00:00:00Z' }).optional(),
  })
  .strict();

/** The longest validity a key may be given when it has an expiry. */
export const MAX_KEY_LIFETIME_DAYS = 366;

/** Why an expiry is refused at creation; undefined when it is fine. */
export function expiryProblem(expiresAt: string | undefined, now: Date): string | undefined {
  if (expiresAt === undefined) return undefined;
  const at = Date.parse(expiresAt);
  if (at <= now.getTime()) return 'expires_at must be in the future';
  if (at > now.getTime() + MAX_KEY_LIFETIME_DAYS * 86_400_000) return `expires_at must be at most ${MAX_KEY_LIFETIME_DAYS} days ahead`;
  return undefined;
}
export type ApiKeyCreate = z.infer<typeof ApiKeyCreateSchema>;

/** What the API shows of a key (never the secret or its hash). */
export interface ApiKeyView {
  key_id: string;
  name: string;
  scopes: ApiKeyScope[];
  created_at: string;
  created_by: string;
  revoked_at?: string;
  revoked_by?: string;
  /** Absent: the key does not expire (revoke it to end it). */
  expires_at?: string;
}

interface ApiKeyItem extends ApiKeyView {
  secret_sha256: string;
}

export function isKeyId(value: string): boolean {
  return KEY_ID.test(value);
}

export function newApiKey(): { keyId: string; secret: string; apiKey: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { keyId, secret, apiKey: `${API_KEY_PREFIX}_${keyId}_${secret}` };
}

export function parseApiKey(value: string): { keyId: string; secret: string } | undefined {
  const m = API_KEY.exec(value);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function view(item: ApiKeyItem): ApiKeyView {
  const { secret_sha256: _hash, ...rest } = item;
  return rest;
}

export class ApiKeyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(input: ApiKeyCreate, createdBy: string, now = new Date()): Promise<{ key: ApiKeyView; apiKey: string }> {
    const problem = expiryProblem(input.expires_at, now);
    if (problem)
      throw new ValidationError(`invalid API key: expires_at: ${problem}`, 'VALIDATION_ERROR', { problems: [{ field: 'expires_at', message: problem }] });
    const { keyId, secret, apiKey } = newApiKey();
    const item: ApiKeyItem = {
      key_id: keyId,
      name: input.name,
      scopes: input.scopes,
      created_at: now.toISOString(),
      created_by: createdBy,
      secret_sha256: secretHash(secret),
      ...(input.expires_at ? { expires_at: new Date(input.expires_at).toISOString() } : {}),
    };
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(key_id)' }));
    return { key: view(item), apiKey };
  }

  async get(keyId: string): Promise<ApiKeyView | undefined> {
    const item = await this.item(keyId);
    return item && view(item);
  }

  /** Every key, oldest first (a handful per environment: one scan is fine). */
  async list(): Promise<ApiKeyView[]> {
    const items = await allItems(paginateScan({ client: this.doc }, { TableName: this.tableName }), (page) => page.Items as ApiKeyItem[] | undefined);
    return items.map(view).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.key_id.localeCompare(b.key_id));
  }

  /** Revokes once; revoking a revoked key returns it unchanged. */
  async revoke(keyId: string, revokedBy: string, now = new Date()): Promise<{ key: ApiKeyView; changed: boolean }> {
    const existing = await this.item(keyId);
    if (!existing) throw new NotFoundError(`API key ${keyId} not found`, 'API_KEY_NOT_FOUND');
    if (existing.revoked_at) return { key: view(existing), changed: false };
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key_id: keyId },
          UpdateExpression: 'SET revoked_at = :at, revoked_by = :by',
          ConditionExpression: 'attribute_exists(key_id) AND attribute_not_exists(revoked_at)',
          ExpressionAttributeValues: { ':at': now.toISOString(), ':by': revokedBy },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { key: view(out.Attributes as ApiKeyItem), changed: true };
    } catch (e) {
      rethrowUnlessAwsError(e, 'ConditionalCheckFailedException');
      // Revoked by someone else in between: the key is revoked either way.
      return { key: view((await this.item(keyId))!), changed: false };
    }
  }

  /** The principal behind an `X-Api-Key` value, or 401. */
  async authenticate(value: string, now: Date = new Date()): Promise<Principal> {
    const parsed = parseApiKey(value);
    if (!parsed) throw new UnauthorizedError('malformed API key (expected bgak_<id>_<secret>)', 'INVALID_API_KEY');
    const item = await this.item(parsed.keyId);
    const expected = Buffer.from(item?.secret_sha256 ?? '0'.repeat(64), 'hex');
    const given = Buffer.from(secretHash(parsed.secret), 'hex');
    // Compare even for an unknown id, so timing does not tell which ids exist.
    const matches = timingSafeEqual(expected, given) && item !== undefined;
    if (!matches) throw new UnauthorizedError('unknown API key', 'INVALID_API_KEY');
    if (item.revoked_at) throw new UnauthorizedError('API key has been revoked', 'API_KEY_REVOKED');
    if (item.expires_at && Date.parse(item.expires_at) <= now.getTime())
      throw new UnauthorizedError(`API key expired at ${item.expires_at}`, 'API_KEY_EXPIRED');
    return { kind: 'api_key', id: item.key_id, name: item.name, scopes: item.scopes, permissions: new Set(item.scopes) };
  }

  private async item(keyId: string): Promise<ApiKeyItem | undefined> {
    if (!isKeyId(keyId)) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { key_id: keyId }, ConsistentRead: true }));
    return out.Item as ApiKeyItem | undefined;
  }
}
