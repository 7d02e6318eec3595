/** Shared setup for runtime tests: a bootstrapped env in moto and images to publish. */
import { GetParameterHistoryCommand } from '@aws-sdk/client-ssm';
import { createClients, type AwsClients } from '../../src/aws/clients';
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
  const out = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.clients.ssm.send(new GetParameterHistoryCommand({ Name: ctx.platform.imagePointerParameter, NextToken }));
    out.push(...(page.Parameters ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

export const FAST = { pollIntervalMs: 5, timeoutMs: 10_000 };
