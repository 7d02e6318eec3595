import { GetAgentRuntimeCommand, UpdateAgentRuntimeCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { handler } from '../../src/handlers/image-pointer';
import { buildUpdateRequest } from '../../src/runtime/agent-runtime';
import { endpointNames, getEndpoint, versionDigest } from '../../src/runtime/endpoints';
import { listAudit, runtimeStatus } from '../../src/runtime';
import { useMoto } from '../support/moto';
import { bootstrappedRuntime, invocation, pushImage } from './support';

describe('image-pointer custom resource', () => {
  useMoto();
  process.env.POLL_INTERVAL_MS = '5';

  it('does nothing when the runtime already serves the pointer', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('crsame');
    const before = await listAudit(ctx);
    // Act
    const result = await handler(invocation(ctx, 'create'));
    // Assess
    expect(result).toMatchObject({ action: 'create', changed: false, digest: (await runtimeStatus(ctx)).pointer.digest });
    expect(await listAudit(ctx)).toEqual(before);
  });

  it('re-applies the pointer after an infra update sent a stale artifact, and audits it', async () => {
    // Prepare: the pointer says B, but Terraform's update put the runtime back on the bootstrap image
    const ctx = await bootstrappedRuntime('crstale');
    const stale = (await runtimeStatus(ctx)).pointer.digest;
    const b = await pushImage(ctx, 'b');
    await ctx.clients.ssm.send(new PutParameterCommand({ Name: ctx.platform.imagePointerParameter, Value: b, Type: 'String', Overwrite: true }));
    const live = await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    await ctx.clients.agentcore.send(new UpdateAgentRuntimeCommand(buildUpdateRequest(live, `${ctx.platform.ecrRepositoryUrl}@${stale}`, 'x'.repeat(40))));
    // Act
    const result = await handler(invocation(ctx, 'update'));
    // Assess
    expect(result).toMatchObject({ action: 'update', changed: true, digest: b });
    expect(await runtimeStatus(ctx)).toMatchObject({ inSync: true, runtime: { digest: b } });
    expect((await listAudit(ctx))[0]).toMatchObject({
      action: 'reapply',
      from_digest: stale,
      to_digest: b,
      outcome: 'repaired',
      actor: 'image-pointer-custom-resource',
    });
  });

  it('after an infra change that kept the image (new configuration, same digest), moves live onto that version without another update', async () => {
    // Prepare: Terraform changed an environment variable; the new version serves the pointer's image, live is still on the old one
    const ctx = await bootstrappedRuntime('crconfig');
    const live = await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    const pointer = (await runtimeStatus(ctx)).pointer.digest;
    const changed = {
      ...buildUpdateRequest(live, `${ctx.platform.ecrRepositoryUrl}@${pointer}`, `abca-tf-${'x'.repeat(40)}`),
      environmentVariables: { ...live.environmentVariables, FEATURE: 'on' },
    };
    const terraform = await ctx.clients.agentcore.send(new UpdateAgentRuntimeCommand(changed));
    expect((await runtimeStatus(ctx)).runtime.version).not.toBe(terraform.agentRuntimeVersion);
    // Act
    const result = await handler(invocation(ctx, 'update'));
    // Assess
    expect(result).toMatchObject({ changed: true, path: 'fast', runtimeVersion: terraform.agentRuntimeVersion });
    expect(result.operation?.executed.map((s) => s.kind)).toEqual(['move_endpoint', 'labels', 'audit']);
    expect(await runtimeStatus(ctx)).toMatchObject({ inSync: true, runtime: { digest: pointer, version: terraform.agentRuntimeVersion } });
  });

  it('after Terraform updated the runtime (no MMDSv2, same image), brings live and canary onto a new MMDSv2 version', async () => {
    // Prepare: Terraform's update sends no metadataConfiguration (the provider cannot), so its version lacks MMDSv2
    const ctx = await bootstrappedRuntime('crmmds');
    const live = await ctx.clients.agentcore.send(new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId }));
    const pointer = (await runtimeStatus(ctx)).pointer.digest;
    const changed = {
      ...buildUpdateRequest(live, `${ctx.platform.ecrRepositoryUrl}@${pointer}`, `abca-tf-${'m'.repeat(40)}`),
      environmentVariables: { ...live.environmentVariables, FEATURE: 'on' },
    };
    delete changed.metadataConfiguration;
    const terraform = await ctx.clients.agentcore.send(new UpdateAgentRuntimeCommand(changed));
    expect((await versionDigest(ctx, terraform.agentRuntimeVersion!))?.mmdsv2).toBe(false);
    // Act
    const result = await handler(invocation(ctx, 'update'));
    // Assess: a version after Terraform's, MMDSv2-enabled, with Terraform's configuration and the same image
    const names = endpointNames(ctx);
    const [liveEp, canaryEp] = await Promise.all([getEndpoint(ctx, names.live), getEndpoint(ctx, names.canary)]);
    expect(result).toMatchObject({ changed: true });
    expect(Number(liveEp.liveVersion)).toBeGreaterThan(Number(terraform.agentRuntimeVersion));
    expect((await versionDigest(ctx, canaryEp.liveVersion!))?.mmdsv2).toBe(true);
    const served = await ctx.clients.agentcore.send(
      new GetAgentRuntimeCommand({ agentRuntimeId: ctx.platform.agentRuntimeId, agentRuntimeVersion: liveEp.liveVersion }),
    );
    expect(served.metadataConfiguration).toEqual({ requireMMDSV2: true });
    expect(served.environmentVariables).toMatchObject({ FEATURE: 'on' });
    expect(await runtimeStatus(ctx)).toMatchObject({ inSync: true, runtime: { digest: pointer, version: liveEp.liveVersion } });
  });

  it('does nothing on delete', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('crdelete');
    const b = await pushImage(ctx, 'b');
    await ctx.clients.ssm.send(new PutParameterCommand({ Name: ctx.platform.imagePointerParameter, Value: b, Type: 'String', Overwrite: true }));
    // Act
    const result = await handler(invocation(ctx, 'delete'));
    // Assess
    expect(result.changed).toBe(false);
    expect((await runtimeStatus(ctx)).runtime.digest).not.toBe(b);
  });

  it('refuses a pointer whose image is not in the platform repository, leaving the runtime alone', async () => {
    // Prepare
    const ctx = await bootstrappedRuntime('crmissing');
    const before = (await runtimeStatus(ctx)).runtime.digest;
    await ctx.clients.ssm.send(
      new PutParameterCommand({ Name: ctx.platform.imagePointerParameter, Value: `sha256:${'d'.repeat(64)}`, Type: 'String', Overwrite: true }),
    );
    // Act + Assess
    await expect(handler(invocation(ctx, 'update'))).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    expect((await runtimeStatus(ctx)).runtime.digest).toBe(before);
  });
});
