/** Shared setup for runtime tests: a bootstrapped env in moto and images to publish. */
import { paginateGetParameterHistory } from '@aws-sdk/client-ssm';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { allItems } from '../../src/aws/pages';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { pushLocalImage } from '../../src/local/images';
import { openRuntime, type RuntimeContext } from '../../src/runtime';
import { clientsAs } from '../support/iam';

/**
 * Bootstraps with clients of its own (bootstrap ends with the stack's re-apply, whose requests a
 * test's instrumented clients should not see), then opens the runtime with the test's clients, by
 * default as CI's publisher role of `env` (what publish, rollback and status run as).
 */
export async function bootstrappedRuntime(env: string, clients?: AwsClients, opts: { promoteFrom?: string[] } = {}): Promise<RuntimeContext> {
  await bootstrapLocal({ env, clients: createClients(), ...opts });
  return openRuntime(env, { clients: clients ?? (await clientsAs(env, 'publisher')), actor: 'tester@test' });
}

export function pushImage(ctx: RuntimeContext, tag: string): Promise<string> {
  return pushLocalImage(ctx.clients.ecr, ctx.platform.ecrRepositoryName, tag);
}

export async function pointerVersions(ctx: RuntimeContext) {
  return allItems(paginateGetParameterHistory({ client: ctx.clients.ssm }, { Name: ctx.platform.imagePointerParameter }), (page) => page.Parameters);
}

export const FAST = { pollIntervalMs: 5, timeoutMs: 10_000 };

/** Bootstrap's own re-apply (as the stack's custom resource after Terraform) is in the audit: the events after it. */
export const BOOTSTRAP_ACTOR = 'image-pointer-custom-resource';

/** The image-pointer custom resource's event, as the stack's aws_lambda_invocation sends it. */
export function invocation(ctx: RuntimeContext, action: 'create' | 'update' | 'delete', configHash = 'f'.repeat(64)) {
  const p = ctx.platform;
  return {
    env: ctx.env,
    region: p.region,
    imagePointerParameter: p.imagePointerParameter,
    ecrRepositoryName: p.ecrRepositoryName,
    ecrRepositoryUrl: p.ecrRepositoryUrl,
    agentRuntimeId: p.agentRuntimeId,
    agentRuntimeArn: p.agentRuntimeArn,
    agentRuntimeName: p.agentRuntimeName,
    configHash,
    tf: { action, prev_input: null },
  };
}
