/**
 * Every repository change is written with its event in one DynamoDB transaction: when the event
 * cannot be written (DynamoDB refuses it), the change is not written either.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { reposAuditStream } from '../../src/audit/events';
import { LineLogger } from '../../src/platform/logging';
import { RepoCounter } from '../../src/repos/counter';
import { provisionRepo } from '../../src/repos/provisioner';
import { buildProvisionerDeps } from '../../src/wiring/provisioner';
import { settled, useApi } from '../api/support';
import { failAuditWrites, streamEvents } from './support';

const harness = useApi({ env: 'atomicev' });
const silentLogger = () => new LineLogger(() => undefined, { serviceName: 'test' });

describe('a change and its event', () => {
  let failing = false;
  /** Only the provisioner's verdicts (a transaction of the row's update and its event). */
  let failingVerdicts = false;
  beforeAll(() => {
    const h = harness();
    // The API's and its in-process provisioner's own clients (each acts as its role).
    failAuditWrites(
      h.apiClients.doc,
      h.platform.tables.audit,
      (w) => failing || (failingVerdicts && w.TransactItems?.length === 2 && !!w.TransactItems[0]?.Update),
    );
    failAuditWrites(h.provisionerClients.doc, h.platform.tables.audit, (w) => failingVerdicts && w.TransactItems?.length === 2 && !!w.TransactItems[0]?.Update);
  });
  afterEach(() => {
    failing = false;
    failingVerdicts = false;
  });

  const row = async (repo: string) =>
    (await harness().clients.doc.send(new GetCommand({ TableName: harness().platform.tables.repos, Key: { repo }, ConsistentRead: true }))).Item;
  const events = async () => streamEvents(harness().clients.doc, harness().platform.tables.audit, reposAuditStream(harness().env));

  it('a PATCH whose event fails leaves neither the change nor an event', async () => {
    // Prepare
    const h = harness();
    expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'atomic/patch', max_turns: 10 } })).status).toBe(201);
    await settled(h, 'atomic/patch');
    const before = await row('atomic/patch');
    const eventsBefore = await events();
    // Act
    failing = true;
    const res = await h.call('PATCH', '/v1/repos/atomic/patch', { token: h.adminToken, body: { max_turns: 20 } });
    failing = false;
    // Assess
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await row('atomic/patch')).toEqual(before);
    expect(await events()).toEqual(eventsBefore);
  });

  it('an onboarding whose event fails leaves no row, no slot taken and no event', async () => {
    // Prepare
    const h = harness();
    const counter = new RepoCounter(h.clients.doc, h.platform.tables.repos);
    const slots = await counter.current();
    const eventsBefore = await events();
    // Act
    failing = true;
    const res = await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'atomic/onboard' } });
    failing = false;
    // Assess
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await row('atomic/onboard')).toBeUndefined();
    expect(await counter.current()).toBe(slots);
    expect(await events()).toEqual(eventsBefore);
  });

  it('a removal whose event fails leaves the row as it was and its slot taken', async () => {
    // Prepare
    const h = harness();
    await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'atomic/remove' } });
    await settled(h, 'atomic/remove');
    const counter = new RepoCounter(h.clients.doc, h.platform.tables.repos);
    const slots = await counter.current();
    const before = await row('atomic/remove');
    const eventsBefore = await events();
    // Act
    failing = true;
    const res = await h.call('DELETE', '/v1/repos/atomic/remove', { token: h.adminToken });
    failing = false;
    // Assess
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await row('atomic/remove')).toEqual(before);
    expect(await counter.current()).toBe(slots);
    expect(await events()).toEqual(eventsBefore);
  });

  it('a provisioning verdict whose event fails leaves the row provisioning; a later run settles it with its event', async () => {
    // Prepare
    const h = harness();
    failingVerdicts = true;
    expect((await h.call('POST', '/v1/repos', { token: h.adminToken, body: { repo: 'atomic/settle' } })).status).toBe(201);
    // Act: the in-process provisioner tries (and retries) while the verdict's event fails
    await h.api.idle();
    const stuck = await row('atomic/settle');
    const stuckEvents = (await events()).filter((e) => e.subject === 'atomic/settle').map((e) => e.action);
    failingVerdicts = false;
    const outcome = await provisionRepo(buildProvisionerDeps({ env: h.env, platform: h.platform, clients: h.clients, log: silentLogger() }), 'atomic/settle');
    // Assess
    expect(stuck).toMatchObject({ status: 'provisioning', version: 1 });
    expect(stuckEvents).toEqual(['onboard']);
    expect(outcome).toMatchObject({ status: 'active', version: 1 });
    expect(await row('atomic/settle')).toMatchObject({ status: 'active', version: 1 });
    const after = (await events()).filter((e) => e.subject === 'atomic/settle');
    expect(after.map((e) => e.action)).toEqual(['onboard', 'provisioned']);
    expect(after[1]).toMatchObject({ actor: 'provisioner', version: 1, changed: ['status'], before: { status: 'provisioning' }, after: { status: 'active' } });
  });
});
