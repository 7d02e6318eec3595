/**
 * `bgagent guardrails` and `bgagent promotion-policy` (built binary) against the local platform:
 * a value its readers would refuse is refused before anything is written, with the field named;
 * a valid one is written and recorded as a policy event with before and after.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients } from '../../src/aws/clients';
import { policyAuditStream } from '../../src/audit/events';
import { bootstrapLocal } from '../../src/local/bootstrap';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { useMoto } from '../support/moto';
import { streamEvents } from '../repos/support';
import { bgagent, tempConfigDir, useBuiltCli, type CliRun } from './support';

const ENV = 'policycli';

describe('bgagent guardrails / promotion-policy (built binary, local platform)', () => {
  useMoto();
  useBuiltCli();
  const clients = createClients();
  let platform: PlatformConfig;
  const dir = tempConfigDir();
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => bgagent([...args, '--env', ENV], { env: { BGAGENT_CONFIG_DIR: dir, ...env } });
  const stored = async () => {
    const p = (await clients.ssm.send(new GetParameterCommand({ Name: platform.guardrailsParameter }))).Parameter!;
    return { version: p.Version, value: JSON.parse(p.Value!) as Record<string, unknown> };
  };
  const policyEvents = () => streamEvents(clients.doc, platform.tables.audit, policyAuditStream(ENV));
  /** An $EDITOR that rewrites the file with `sed` (what an operator would type, scripted). */
  const editor = (sed: string) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'editor-')), 'edit.sh');
    writeFileSync(file, `#!/bin/sh\nsed -i '${sed}' "$1"\n`);
    chmodSync(file, 0o755);
    return file;
  };

  beforeAll(async () => {
    ({ platform } = await bootstrapLocal({ env: ENV, clients }));
  }, 60_000);

  it('refuses a wrong type with the field named, writing nothing', async () => {
    // Prepare
    const before = await stored();
    const eventsBefore = await policyEvents();
    // Act
    const run = await cli(['guardrails', 'set', '--value', JSON.stringify({ ...before.value, max_repos: '50' })]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.errors().join('\n')).toMatch(/max_repos: .*expected number/);
    expect(run.errors().join('\n')).toContain('nothing was written');
    expect(await stored()).toEqual(before);
    expect(await policyEvents()).toEqual(eventsBefore);
  });

  it('refuses a misspelt member, which the reader would drop without a word', async () => {
    // Prepare
    const before = await stored();
    // Act
    const run = await cli(['guardrails', 'set', '--value', JSON.stringify({ ...before.value, max_repo: 3 })]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.errors().join('\n')).toMatch(/POLICY_INVALID|not a valid guardrails document/);
    expect(run.errors().join('\n')).toContain('max_repo');
    expect(await stored()).toEqual(before);
  });

  it('writes a valid change and records it with before and after', async () => {
    // Prepare
    const before = await stored();
    // Act
    const run = await cli(['guardrails', 'set', '--value', JSON.stringify({ ...before.value, max_repos: 7 }), '--reason', 'workshop', '--json']);
    const show = await cli(['guardrails', 'show', '--json']);
    // Assess
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({
      changed: ['max_repos'],
      before: { max_repos: 50 },
      after: { max_repos: 7 },
      from_version: before.version,
      written: true,
    });
    const after = await stored();
    expect(after).toEqual({ version: before.version! + 1, value: { ...before.value, max_repos: 7 } });
    expect(show.json()).toMatchObject({ version: after.version, valid: true, value: { max_repos: 7 } });
    const [event] = (await policyEvents()).slice(-1);
    expect(event).toMatchObject({
      action: 'policy_set',
      subject: platform.guardrailsParameter,
      version: after.version,
      changed: ['max_repos'],
      before: { max_repos: 50 },
      after: { max_repos: 7 },
      reason: 'workshop',
    });
  });

  it('edit: refuses an invalid edit naming the field and writes a valid one', async () => {
    // Prepare
    const before = await stored();
    // Act
    const bad = await cli(['guardrails', 'edit'], { EDITOR: editor('s/"max_repos": [0-9]*/"max_repos": "lots"/') });
    const afterBad = await stored();
    const good = await cli(['guardrails', 'edit', '--json'], { EDITOR: editor('s/"max_repos": [0-9]*/"max_repos": 12/') });
    // Assess
    expect(bad.code).toBe(2);
    expect(bad.errors().join('\n')).toMatch(/max_repos/);
    expect(afterBad).toEqual(before);
    expect(good.code).toBe(0);
    expect(good.json()).toMatchObject({ changed: ['max_repos'], after: { max_repos: 12 }, written: true });
    expect((await stored()).value.max_repos).toBe(12);
  });

  it('show reports a hand-written invalid value (exit 1), and promotion-policy is validated the same way', async () => {
    // Prepare: written around the CLI
    const good = await stored();
    await clients.ssm.send(new PutParameterCommand({ Name: platform.guardrailsParameter, Type: 'String', Overwrite: true, Value: '{"max_repos": "50"' }));
    try {
      // Act
      const show = await cli(['guardrails', 'show', '--json']);
      const promo = await cli(['promotion-policy', 'set', '--value', '{"accept_from": "staging"}']);
      const promoShow = await cli(['promotion-policy', 'show', '--json']);
      // Assess
      expect(show.code).toBe(1);
      expect(show.json()).toMatchObject({ valid: false, problem: expect.stringContaining('is not JSON') });
      expect(promo.code).toBe(2);
      expect(promo.errors().join('\n')).toMatch(/accept_from: /);
      expect(promoShow.code).toBe(0);
      expect(promoShow.json()).toMatchObject({ valid: true, value: { accept_from: [], require_smoke: true } });
    } finally {
      await clients.ssm.send(
        new PutParameterCommand({ Name: platform.guardrailsParameter, Type: 'String', Overwrite: true, Value: JSON.stringify(good.value) }),
      );
    }
  });
  it('release-policy: a wrong type deep in the document is refused with its field named, a valid one is written', async () => {
    // Prepare
    const before = await cli(['release-policy', 'show', '--json']);
    // Act
    const bad = await cli(['release-policy', 'set', '--value', '{"bake": {"min_tasks": "five"}}']);
    const afterBad = await cli(['release-policy', 'show', '--json']);
    const good = await cli(['release-policy', 'set', '--json', '--value', '{"bake": {"min_tasks": 3}}']);
    const afterGood = await cli(['release-policy', 'show', '--json']);
    // Assess
    expect(before.code).toBe(0);
    expect(bad.code).toBe(2);
    expect(bad.errors().join('\n')).toMatch(/bake\.min_tasks/);
    expect(afterBad.json()).toEqual(before.json());
    expect(good.code).toBe(0);
    expect(afterGood.json()).toMatchObject({ valid: true, value: { bake: { min_tasks: 3 } } });
  });
});
