/**
 * Data: one DynamoDB table per entry of TABLES (src/platform/tables.ts), the same definitions the
 * local bootstrap builds its tables from. On-demand, point-in-time recovery, KMS encryption.
 */
import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { PlatformNames } from '../../src/platform/names';
import { TABLE_KEYS, TABLES, type TableKey } from '../../src/platform/tables';

export interface DataProps {
  names: PlatformNames;
  deletionProtection: boolean;
}

export class Data extends Construct {
  readonly tables: Record<TableKey, DynamodbTable>;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const { names } = props;
    this.tables = Object.fromEntries(
      TABLE_KEYS.map((key) => {
        const def = TABLES[key];
        const table = new DynamodbTable(this, key, {
          name: names.tables[key],
          billingMode: 'PAY_PER_REQUEST',
          hashKey: def.hashKey,
          rangeKey: def.rangeKey,
          attribute: Object.entries(def.attributes).map(([name, type]) => ({ name, type })),
          globalSecondaryIndex: def.indexes.map((ix) => ({ name: ix.name, hashKey: ix.hashKey, rangeKey: ix.rangeKey, projectionType: 'ALL' })),
          ttl: def.ttlAttribute ? { enabled: true, attributeName: def.ttlAttribute } : undefined,
          streamEnabled: def.stream ? true : undefined,
          streamViewType: def.stream,
          pointInTimeRecovery: { enabled: true },
          // AWS-managed KMS key: encrypted at rest with a key CloudTrail can show, no key policy to run.
          serverSideEncryption: { enabled: true },
          deletionProtectionEnabled: props.deletionProtection,
          tags: { 'abca:purpose': def.purpose.slice(0, 256).replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '') },
        });
        return [key, table];
      }),
    ) as Record<TableKey, DynamodbTable>;
  }
}
