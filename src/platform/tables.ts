/**
 * DynamoDB table shapes, declared once. The cdktf stack and the local bootstrap both build their
 * tables from these definitions, so local mode and AWS cannot drift apart.
 */
import type { PlatformNames } from './names';

export type TableKey = keyof PlatformNames['tables'];
export type AttrType = 'S' | 'N';

export interface TableIndex {
  name: string;
  hashKey: string;
  rangeKey?: string;
}

export interface TableDefinition {
  key: TableKey;
  hashKey: string;
  rangeKey?: string;
  attributes: Record<string, AttrType>;
  ttlAttribute?: string;
  stream?: 'NEW_AND_OLD_IMAGES';
  indexes: TableIndex[];
  purpose: string;
}

export const TABLES: Record<TableKey, TableDefinition> = {
  repos: {
    key: 'repos',
    hashKey: 'repo',
    attributes: { repo: 'S', status: 'S' },
    ttlAttribute: 'expires_at',
    // The provisioner reacts to changes through the stream in AWS.
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: [{ name: 'status-index', hashKey: 'status', rangeKey: 'repo' }],
    purpose: 'RepoConfig rows, one per onboarded GitHub repository',
  },
  tasks: {
    key: 'tasks',
    hashKey: 'task_id',
    attributes: { task_id: 'S', repo: 'S', created_at: 'S', status: 'S' },
    ttlAttribute: 'expires_at',
    // status-index: the reconciler reads SUBMITTED and RUNNING tasks without scanning the table.
    indexes: [
      { name: 'repo-index', hashKey: 'repo', rangeKey: 'created_at' },
      { name: 'status-index', hashKey: 'status', rangeKey: 'created_at' },
    ],
    purpose: 'Agent tasks and their state',
  },
  audit: {
    key: 'audit',
    hashKey: 'stream',
    rangeKey: 'event_id',
    attributes: { stream: 'S', event_id: 'S' },
    indexes: [],
    purpose: 'Append-only audit events (runtime pointer moves, repository changes)',
  },
  apiKeys: {
    key: 'apiKeys',
    hashKey: 'key_id',
    attributes: { key_id: 'S' },
    indexes: [],
    purpose: 'Scoped API keys (only a hash of the secret is stored)',
  },
  locks: {
    key: 'locks',
    hashKey: 'lock_id',
    attributes: { lock_id: 'S' },
    ttlAttribute: 'expires_at',
    indexes: [],
    purpose: 'Per-environment deploy locks with expiry',
  },
};

export const TABLE_KEYS = Object.keys(TABLES) as TableKey[];
