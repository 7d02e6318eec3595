import { GetAgentRuntimeCommand, UpdateAgentRuntimeCommand, type UpdateAgentRuntimeCommandInput } from '@aws-sdk/client-bedrock-agentcore-control';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createClients } from '../../src/aws/clients';
import { listAudit, openRuntime, publishRuntime, rollbackRuntime, runtimeStatus } from '../../src/runtime';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, FAST, pointerVersions, pushImage, BOOTSTRAP_ACTOR } from './support';

/** The image the `live` endpoint serves (what tasks get), as a container URI. */
const liveUri = async (ctx: Awaited<ReturnType<typeof bootstrappedRuntime>>) => `${ctx.platform.ecrRepositoryUrl}@${(await runtimeStatus(ctx)).runtime.digest}`;

describe('publishRuntime', () => {
  useMoto();

  it('moves pointer and runtime to the digest, labels the version and records the audit', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('puba');
    const before = (await pointerVersions(ctx)).length;
    const a = await pushImage(ctx, 'a');
    // Act
    const result = await publishRuntime(ctx, { imageTag: 'a', reason: 'first', gitCommit: 'abc123', ...FAST });
    // Assess
    expect(result).toMatchObject({ ok: true, outcome: 'published', to: a, pointerVersion: before + 1 });
    expect(await liveUri(ctx)).toBe(`${ctx.platform.ecrRepositoryUrl}@${a}`);
    const versions = await pointerVersions(ctx);
    expect(versions.at(-1)).toMatchObject({ Value: a, Labels: ['live'] });
    expect(versions.at(-1)!.Description).toContain('commit=abc123');
    const [event] = await listAudit(ctx);
    expect(event).toMatchObject({ action: 'publish', to_digest: a, outcome: 'succeeded', actor: 'tester@test', git_commit: 'abc123', reason: 'first' });
    expect((await runtimeStatus(ctx)).inSync).toBe(true);
  });

  it('publishing the digest that is already live is a no-op: no new version, no update', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('pubnoop');
    await pushImage(ctx, 'a');
    await publishRuntime(ctx, { imageTag: 'a', ...FAST });
    const versions = (await pointerVersions(ctx)).length;
    // Act
    const result = await publishRuntime(ctx, { imageTag: 'a', ...FAST });
    // Assess
    expect(result.outcome).toBe('noop');
    expect(await pointerVersions(ctx)).toHaveLength(versions);
  });

  it.each([
    ['a malformed digest', { imageDigest: 'sha256:XYZ' }, 'INVALID_DIGEST'],
    ['an image from another repository', { imageDigest: `123456789012.dkr.ecr.us-east-1.amazonaws.com/other@sha256:${'a'.repeat(64)}` }, 'FOREIGN_IMAGE'],
    ['a digest not in ECR', { imageDigest: `sha256:${'b'.repeat(64)}` }, 'IMAGE_NOT_FOUND'],
    ['an unknown tag', { imageTag: 'nope' }, 'IMAGE_NOT_FOUND'],
    ['a malformed tag', { imageTag: '../x' }, 'INVALID_TAG'],
    ['both digest and tag', { imageTag: 'a', imageDigest: `sha256:${'a'.repeat(64)}` }, 'VALIDATION_ERROR'],
  ])('refuses %s before writing anything', async (_what, input, code) => {
    // Prepare
    const ctx = await bootstrappedRuntime('pubbad');
    const versions = (await pointerVersions(ctx)).length;
    const uri = await liveUri(ctx);
    // Act + Assess
    await expect(publishRuntime(ctx, { ...input, ...FAST })).rejects.toMatchObject({ code, exitCode: 2 });
    expect(await pointerVersions(ctx)).toHaveLength(versions);
    expect(await liveUri(ctx)).toBe(uri);
  });

  it('refuses an unknown environment', async () => {
    await expect(openRuntime('nosuchenv', { clients: createClients() })).rejects.toMatchObject({ code: 'UNKNOWN_ENV', exitCode: 2 });
  });

  it('sends back every updatable field of the live configuration with only the image changed', async () => {
    // Prepare: capture the UpdateAgentRuntime request on a real client (moto would keep omitted fields)
    const clients = createClients();
    const sent: UpdateAgentRuntimeCommandInput[] = [];
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === UpdateAgentRuntimeCommand.name) sent.push(structuredClone(args.input as UpdateAgentRuntimeCommandInput));
        return next(args);
      },
      { step: 'initialize', name: 'captureUpdate' },
    );
    const ctx = await bootstrappedRuntime('pubspec', clients);
    const before = await clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    const b = await pushImage(ctx, 'b');
    // Act
    await publishRuntime(ctx, { imageDigest: b, ...FAST });
    // Assess
    expect(sent).toHaveLength(1);
    const req = sent[0]!;
    expect(req.agentRuntimeArtifact?.containerConfiguration?.containerUri).toBe(`${ctx.platform.ecrRepositoryUrl}@${b}`);
    expect(req.environmentVariables).toEqual(before.environmentVariables);
    // Everything but requireServiceS3Endpoint, which Get returns and AWS refuses on update.
    const { requireServiceS3Endpoint, ...vpc } = before.networkConfiguration!.networkModeConfig!;
    expect(requireServiceS3Endpoint).toBe(false);
    expect(req.networkConfiguration).toEqual({ ...before.networkConfiguration, networkModeConfig: vpc });
    expect(req.protocolConfiguration).toEqual(before.protocolConfiguration);
    expect(req.lifecycleConfiguration).toEqual(before.lifecycleConfiguration);
    expect(req.roleArn).toBe(before.roleArn);
    expect(req.description).toBe(before.description);
    expect(req.clientToken!.length).toBeGreaterThanOrEqual(33);
    expect(req).not.toHaveProperty('status');
    expect(req).not.toHaveProperty('agentRuntimeVersion');
  });

  it('retries throttling and still publishes', async () => {
    // Prepare: the first two UpdateAgentRuntime attempts are throttled
    const clients = createClients();
    let throttled = 0;
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === UpdateAgentRuntimeCommand.name && throttled < 2) {
          throttled++;
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
        }
        return next(args);
      },
      { step: 'deserialize', name: 'throttle' },
    );
    const ctx = await bootstrappedRuntime('pubthrottle', clients);
    const c = await pushImage(ctx, 'c');
    // Act
    const result = await publishRuntime(ctx, { imageDigest: c, ...FAST });
    // Assess
    expect(throttled).toBe(2);
    expect(result.outcome).toBe('published');
    expect(await liveUri(ctx)).toContain(c);
  });

  it.each([
    ['the smoke command fails', {}, { smokeCmd: 'echo smoke failing >&2; exit 7' }],
    ['UpdateAgentRuntime fails', { failUpdate: true }, {}],
    ['the runtime ends UPDATE_FAILED', { updateFailed: true }, {}],
  ])('when %s: restores the previous digest on pointer and runtime, audits it, exits 1', async (_what, fault, opts) => {
    // Prepare
    const clients = createClients();
    let armed = false;
    let updateSent = false;
    let failedOnce = false;
    clients.agentcore.middlewareStack.add(
      (next, context) => async (args) => {
        if (armed && 'failUpdate' in fault && context.commandName === UpdateAgentRuntimeCommand.name && !failedOnce) {
          failedOnce = true;
          throw Object.assign(new Error('Internal failure'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
        }
        const out = await next(args);
        // Only reads after the update went out report UPDATE_FAILED.
        if (armed && context.commandName === UpdateAgentRuntimeCommand.name) updateSent = true;
        if (updateSent && 'updateFailed' in fault && context.commandName === GetAgentRuntimeCommand.name && !failedOnce) {
          const body = out.output as { status?: string };
          if (body.status === 'READY' || body.status === 'UPDATING') {
            failedOnce = true;
            body.status = 'UPDATE_FAILED';
          }
        }
        return out;
      },
      { step: 'initialize', name: 'fault' },
    );
    const ctx = await bootstrappedRuntime(`pubfault${'failUpdate' in fault ? 'u' : 'updateFailed' in fault ? 'f' : 's'}`, clients);
    const good = await pushImage(ctx, 'good');
    const bad = await pushImage(ctx, 'bad');
    await publishRuntime(ctx, { imageDigest: good, ...FAST });
    armed = true;
    // Act
    const failure = await publishRuntime(ctx, { imageDigest: bad, ...FAST, ...opts }).catch((e) => e);
    // Assess
    expect(failure).toMatchObject({ code: 'ROLLED_BACK', exitCode: 1 });
    const status = await runtimeStatus(ctx);
    expect(status).toMatchObject({ inSync: true, pointer: { digest: good }, runtime: { digest: good, status: 'READY' } });
    const versions = await pointerVersions(ctx);
    expect(versions.slice(-3).map((v) => v.Value)).toEqual(['good', 'bad', 'good'].map((t) => (t === 'good' ? good : bad)));
    expect(versions.at(-1)!.Labels).toEqual(['live']);
    const audit = await listAudit(ctx);
    expect(audit.slice(0, 2).map((e) => [e.action, e.to_digest, e.outcome])).toEqual([
      ['restore', good, 'succeeded'],
      ['publish', bad, 'rolled_back'],
    ]);
  });

  it('fails fast with exit 3 naming the holder while another run holds the lock, and takes over a stale one', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('publock');
    const d = await pushImage(ctx, 'd');
    const put = (expiresInS: number) =>
      ctx.clients.doc.send(
        new PutCommand({
          TableName: ctx.platform.tables.locks,
          Item: {
            lock_id: 'deploy#publock',
            owner: 'ci-run-42',
            token: 't',
            acquired_at: '2026-01-01T00:00:00Z',
            expires_at: Math.floor(Date.now() / 1000) + expiresInS,
          },
        }),
      );
    await put(600);
    // Act + Assess: held
    await expect(publishRuntime(ctx, { imageDigest: d, ...FAST })).rejects.toMatchObject({
      code: 'LOCK_HELD',
      exitCode: 3,
      message: expect.stringContaining('ci-run-42'),
    });
    expect((await runtimeStatus(ctx)).pointer.digest).not.toBe(d);
    // Act + Assess: stale
    await put(-60);
    await expect(publishRuntime(ctx, { imageDigest: d, ...FAST })).resolves.toMatchObject({ outcome: 'published' });
  });

  it('two publishes at once: one gets the lock, the other fails fast; the pointer equals the live image', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('pubrace');
    const [e, f] = await Promise.all([pushImage(ctx, 'e'), pushImage(ctx, 'f')]);
    // Act
    const results = await Promise.allSettled([publishRuntime(ctx, { imageDigest: e, ...FAST }), publishRuntime(ctx, { imageDigest: f, ...FAST })]);
    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: 'LOCK_HELD' });
    const status = await runtimeStatus(ctx);
    expect(status.inSync).toBe(true);
    expect([e, f]).toContain(status.pointer.digest);
    // The audit has both attempts: the winner's publish and the loser's refusal, naming the lock.
    const audit = (await listAudit(ctx)).filter((a) => a.actor !== BOOTSTRAP_ACTOR);
    expect(audit.map((a) => a.outcome).sort()).toEqual(['refused', 'succeeded']);
    expect(audit.map((a) => a.to_digest).sort()).toEqual([e, f].sort());
    expect(audit.find((a) => a.outcome === 'refused')!.error).toContain('LOCK_HELD');
  });
});

describe('rollbackRuntime', () => {
  useMoto();

  it('defaults to the last known good digest, skipping the current one and failed attempts', async () => {
    // Prepare: A ok, B ok, C fails smoke (restored to B), then B is current
    const ctx = await bootstrappedRuntime('rblkg');
    const [a, b, c] = await Promise.all([pushImage(ctx, 'a'), pushImage(ctx, 'b'), pushImage(ctx, 'c')]);
    await publishRuntime(ctx, { imageDigest: a, ...FAST });
    await publishRuntime(ctx, { imageDigest: b, ...FAST });
    await publishRuntime(ctx, { imageDigest: c, smokeCmd: 'exit 1', ...FAST }).catch(() => undefined);
    // Act
    const result = await rollbackRuntime(ctx, FAST);
    // Assess
    expect(result).toMatchObject({ action: 'rollback', outcome: 'published', from: b, to: a });
    expect(await liveUri(ctx)).toContain(a);
    expect((await listAudit(ctx))[0]).toMatchObject({ action: 'rollback', to_digest: a, outcome: 'succeeded' });
  });

  it('goes to a given label or version, and refuses an unknown one', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('rblabel');
    const [a, b] = await Promise.all([pushImage(ctx, 'a'), pushImage(ctx, 'b')]);
    const first = await publishRuntime(ctx, { imageDigest: a, ...FAST });
    await publishRuntime(ctx, { imageDigest: b, ...FAST });
    // Act + Assess
    await expect(rollbackRuntime(ctx, { toLabel: 'previous', ...FAST })).resolves.toMatchObject({ to: a });
    await expect(rollbackRuntime(ctx, { toVersion: 999, ...FAST })).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND', exitCode: 2 });
    await expect(rollbackRuntime(ctx, { toVersion: first.pointerVersion! + 1, ...FAST })).resolves.toMatchObject({ to: b });
  });

  it('keeps working past SSM’s 100-version limit: 120 publishes, then a rollback finds its target', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('rb120');
    const digests = [await pushImage(ctx, 'x'), await pushImage(ctx, 'y')];
    // Act
    for (let i = 0; i < 120; i++) await publishRuntime(ctx, { imageDigest: digests[i % 2]!, ...FAST });
    const rollback = await rollbackRuntime(ctx, FAST);
    // Assess
    const versions = await pointerVersions(ctx);
    expect(versions).toHaveLength(100);
    expect(versions.at(-1)!.Version).toBe(122);
    expect(rollback).toMatchObject({ outcome: 'published', to: digests[0] });
    expect(versions[0]!.Labels ?? []).toEqual([]);
    // 120 publishes through the IAM enforcement point on a shared machine: a generous wait.
  }, 300_000);
});
