/** Shared setup for runtime tests: a bootstrapped env in moto and images to publish. */
import { paginateGetParameterHistory } from '@aws-sdk/client-ssm';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { allItems } from '../../src/aws/pages';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { pushLocalImage } from '../../src/local/images';
import { openRuntime, type RuntimeContext } from '../../src/runtime';

export async function bootstrappedRuntime(env: string, clients: AwsClients = createClients()): Promise<RuntimeContext> {
  await bootstrapLocal({ env, clients });
  return openRuntime(env, { clients, actor: 'tester@test' });
}

export function pushImage(ctx: RuntimeContext, tag: string): Promise<string> {
  return pushLocalImage(ctx.clients.ecr, ctx.platform.ecrRepositoryName, tag);
}

export async function pointerVersions(ctx: RuntimeContext) {
  return allItems(paginateGetParameterHistory({ client: ctx.clients.ssm }, { Name: ctx.platform.imagePointerParameter }), (page) => page.Parameters);
}

export const FAST = { pollIntervalMs: 5, timeoutMs: 10_000 };
