/**
 * The API Lambda: the Hono app behind API Gateway (REST, proxy integration), the same function as
 * the gateway's REQUEST authorizer (one bundle, one role, one warm JWKS cache), and the runner of
 * the tasks it dispatches to itself (`{"abcaRunTask": id}`, see src/tasks/dispatch.ts).
 */
import { handle } from 'hono/aws-lambda';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import * as path from 'node:path';
import { createApp } from '../api/app';
import { cognitoEndpointFor } from '../api/console';
import { authorize, isAuthorizerEvent, type AuthorizerResult } from '../api/authorizer';
import { isRunTaskEvent } from '../tasks/dispatch';
import { startTask } from '../tasks/orchestrator';
import { buildApiDeps } from '../wiring/api';
import { lambdaContext, onFirstUse } from '../wiring/lambda';
import { lambdaTaskDispatcher } from '../wiring/tasks';

const ready = onFirstUse(async () => {
  const { env, platform, clients, log } = await lambdaContext('api');
  // In AWS the repos table's stream runs the provisioner: no in-process hook here.
  // Tasks start where their GitHub token may be read (the reconciler function); itself otherwise.
  const functionName = process.env.TASK_RUNNER_FUNCTION || (process.env.AWS_LAMBDA_FUNCTION_NAME ?? '');
  const deps = buildApiDeps({ env, platform, clients, log, taskDispatcher: () => lambdaTaskDispatcher(platform, functionName) });
  // The console's files sit beside the handler in the bundle (scripts/bundle-handlers.ts).
  const console = {
    dir: path.join(__dirname, 'console'),
    signIn: {
      env,
      region: platform.region,
      userPoolId: platform.userPoolId,
      userPoolClientId: platform.userPoolClientId,
      cognitoEndpoint: cognitoEndpointFor(platform.region),
    },
  };
  return { deps, http: handle(createApp(deps, { console })) };
});

export const handler = async (event: unknown, context: LambdaContext): Promise<unknown> => {
  const { deps, http } = await ready();
  if (isAuthorizerEvent(event)) return authorize(deps.authenticator, event) as Promise<AuthorizerResult>;
  if (isRunTaskEvent(event)) return startTask(deps.tasks, event.abcaRunTask);
  return http(event as LambdaEvent, context);
};
