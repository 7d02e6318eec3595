/**
 * The API Lambda: the Hono app behind API Gateway (REST, proxy integration), and the same
 * function as the gateway's REQUEST authorizer (one bundle, one role, one warm JWKS cache).
 * Everything is set up at the first invocation, not at import, so cold init stays small.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { handle } from 'hono/aws-lambda';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { createClients } from '../aws/clients';
import { resolveEnv } from '../platform/names';
import { loadPlatformConfig } from '../platform/platform-config';
import { createApp } from './app';
import { authorize, isAuthorizerEvent, type AuthorizerResult } from './authorizer';
import { buildApiDeps, type ApiDeps } from './deps';
import { apiLogger } from './logging';
import { isRunTaskEvent, LambdaTaskDispatcher } from './task-dispatch';
import { startTask } from '../tasks';

interface Ready {
  deps: ApiDeps;
  http: ReturnType<typeof handle>;
}

let ready: Promise<Ready> | undefined;

async function setUp(): Promise<Ready> {
  const env = resolveEnv();
  const clients = createClients();
  const log = apiLogger();
  const platform = await loadPlatformConfig(clients.ssm, env);
  // In AWS the repos table's stream runs the provisioner: no in-process hook here.
  // Submitted tasks start in an asynchronous invocation of this same function (see task-dispatch.ts).
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
  const deps = buildApiDeps({
    env,
    platform,
    clients,
    log,
    taskDispatcher: () => new LambdaTaskDispatcher(new LambdaClient({ region: platform.region }), functionName),
  });
  return { deps, http: handle(createApp(deps)) };
}

export const handler = async (event: unknown, context: LambdaContext): Promise<unknown> => {
  ready ??= setUp().catch((e) => {
    ready = undefined;
    throw e;
  });
  const { deps, http } = await ready;
  if (isAuthorizerEvent(event)) return authorize(deps.authenticator, event) as Promise<AuthorizerResult>;
  if (isRunTaskEvent(event)) return startTask(deps.tasks, event.abcaRunTask);
  return http(event as LambdaEvent, context);
};
