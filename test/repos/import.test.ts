/**
 * `bgagent repo import --from-table` (built binary) on a table holding rows as upstream ABCA's
 * Blueprint construct writes them: a dry run first, then the rows as IaC rows with their events;
 * a second run changes nothing; a changed upstream row is an update with before and after.
 */
import { CreateTableCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../src/aws/clients';
import { reposAuditStream } from '../../src/audit/events';
import { bootstrapLocal } from '../../src/local/bootstrap';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { bgagent, tempConfigDir, useBuiltCli, type CliRun } from '../cli/support';
import { useMoto } from '../support/moto';
import { streamEvents } from './support';

const ENV = 'repoimport';
const SOURCE = 'upstream-RepoTable-import';

describe('bgagent repo import --from-table', () => {
  useMoto();
  useBuiltCli();
  const clients = createClients();
  let platform: PlatformConfig;
  const dir = tempConfigDir();
  const cli = (args: string[]): Promise<CliRun> => bgagent([...args, '--env', ENV], { env: { BGAGENT_CONFIG_DIR: dir }, timeoutMs: 60_000 });
  const row = async (repo: string) => (await clients.doc.send(new GetCommand({ TableName: platform.tables.repos, Key: { repo }, ConsistentRead: true }))).Item;
  const events = async () => (await streamEvents(clients.doc, platform.tables.audit, reposAuditStream(ENV))).filter((e) => e.action === 'import');

  beforeAll(async () => {
    ({ platform } = await bootstrapLocal({ env: ENV, clients }));
    await clients.ddb.send(
      new CreateTableCommand({
        TableName: SOURCE,
        KeySchema: [{ AttributeName: 'repo', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'repo', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const item = (repo: string, status: string, extra: Record<string, unknown> = {}) => ({
      repo: { S: repo },
      status: { S: status },
      onboarded_at: { S: '2026-03-01T10:00:00.000Z' },
      updated_at: { S: '2026-03-01T10:00:00.000Z' },
      ...extra,
    });
    await clients.ddb.send(
      new PutItemCommand({
        TableName: SOURCE,
        Item: item('Acme/Widgets', 'active', { max_turns: { N: '60' }, skills: { L: [{ S: 'registry://skills/py' }] } }),
      }),
    );
    await clients.ddb.send(new PutItemCommand({ TableName: SOURCE, Item: item('acme/tools', 'active', { compute_type: { S: 'ecs' } }) }));
    await clients.ddb.send(new PutItemCommand({ TableName: SOURCE, Item: item('acme/old', 'removed', { ttl: { N: '1900000000' } }) }));
  }, 60_000);

  it('dry-runs first, imports with events, is idempotent, and records an upstream change as an update', async () => {
    // Act
    const dry = await cli(['repo', 'import', '--from-table', SOURCE, '--json']);
    const afterDry = await row('acme/widgets');
    const apply = await cli(['repo', 'import', '--from-table', SOURCE, '--apply', '--json']);
    const imported = await row('acme/widgets');
    const eventsAfterApply = await events();
    const again = await cli(['repo', 'import', '--from-table', SOURCE, '--apply']);
    const eventsAfterAgain = await events();
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: SOURCE,
        Key: { repo: { S: 'Acme/Widgets' } },
        UpdateExpression: 'SET max_turns = :n',
        ExpressionAttributeValues: { ':n': { N: '80' } },
      }),
    );
    const changed = await cli(['repo', 'import', '--from-table', SOURCE, '--apply', '--json']);
    // Assess
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({
      applied: false,
      items: [
        { repo: 'acme/old', action: 'skip', reason: 'status removed upstream' },
        { repo: 'acme/tools', action: 'create' },
        { repo: 'acme/widgets', action: 'create' },
      ],
    });
    expect(afterDry).toBeUndefined();
    expect(apply.code).toBe(0);
    expect(imported).toMatchObject({ repo: 'acme/widgets', source: 'iac', status: 'active', version: 1, max_turns: 60, skills: ['registry://skills/py'] });
    expect(await row('acme/tools')).toMatchObject({ compute_type: 'ecs', source: 'iac' });
    expect(eventsAfterApply.map((e) => e.subject).sort()).toEqual(['acme/tools', 'acme/widgets']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to write');
    expect(eventsAfterAgain).toEqual(eventsAfterApply);
    expect(changed.json().items).toContainEqual(
      expect.objectContaining({ repo: 'acme/widgets', action: 'update', changed: ['max_turns'], before: { max_turns: 60 }, after: { max_turns: 80 } }),
    );
    expect(await row('acme/widgets')).toMatchObject({ version: 2, max_turns: 80 });
    expect((await events()).filter((e) => e.subject === 'acme/widgets').map((e) => e.version)).toEqual([1, 2]);
  });
});
