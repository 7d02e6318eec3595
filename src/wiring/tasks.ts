/**
 * The wiring of the task verbs: the tasks and repos tables, the invoker on `live`, the default model
 * from the live guardrails, and where submitted tasks start. Used by the API (Lambda and local
 * server), the reconciler Lambda and the local control plane alike.
 */
import { GetAgentRuntimeEndpointCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { lambdaClient, secretsClient, type AwsClients } from '../aws/clients';
import { GuardrailsSource } from '../platform/guardrails';
import type { PlatformConfig } from '../platform/platform-config';
import { LIVE_ENDPOINT } from '../platform/runtime-spec';
import { RepoStore } from '../repos/store';
import { liveDefaultModel } from '../tasks/config';
import { LambdaTaskDispatcher, type TaskDispatcher } from '../tasks/dispatch';
import { AgentCoreInvoker, type AgentInvoker } from '../tasks/invoker';
import type { TaskDeps } from '../tasks/orchestrator';
import { TaskStore } from '../tasks/store';
import { secretsTokenReader } from '../tasks/tokens';

/** How long guardrails are cached by default: a host's change applies within this time. */
export const GUARDRAILS_CACHE_MS = 30_000;

export function guardrailsSource(platform: Pick<PlatformConfig, 'guardrailsParameter'>, clients: Pick<AwsClients, 'ssm'>, cacheMs = GUARDRAILS_CACHE_MS) {
  return new GuardrailsSource(clients.ssm, platform.guardrailsParameter, cacheMs);
}

export interface TaskDepsOptions {
  /** The guardrails whose first allowed model is the default (default: read from the platform's parameter). */
  guardrails?: GuardrailsSource;
  /** Default: InvokeAgentRuntime on the platform's runtime, endpoint `live`. */
  invoker?: AgentInvoker;
  log?: (line: string) => void;
}

/** The task verbs' dependencies: the tasks and repos tables, the invoker on `live`, the live default model. */
export function taskDeps(
  platform: Pick<PlatformConfig, 'tables' | 'agentRuntimeArn' | 'guardrailsParameter'> & Partial<Pick<PlatformConfig, 'agentRuntimeId'>>,
  clients: Pick<AwsClients, 'doc' | 'ssm'> & Partial<Pick<AwsClients, 'agentcore' | 'secrets'>>,
  opts: TaskDepsOptions = {},
): TaskDeps {
  const { agentcore } = clients;
  const runtimeId = platform.agentRuntimeId;
  return {
    // Every task records the version `live` served when it started (releases compare versions by it).
    ...(agentcore && runtimeId && !opts.invoker
      ? {
          servedVersion: async () =>
            (await agentcore.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: runtimeId, endpointName: LIVE_ENDPOINT }))).liveVersion,
        }
      : {}),
    // Each task's GitHub token, from its repository's secret, into the invocation only.
    readToken: secretsTokenReader(clients.secrets ?? secretsClient()),
    store: new TaskStore(clients.doc, platform.tables.tasks),
    repos: new RepoStore(clients.doc, platform.tables.repos),
    invoker: opts.invoker ?? new AgentCoreInvoker({ runtimeArn: platform.agentRuntimeArn, qualifier: LIVE_ENDPOINT }),
    defaultModelId: liveDefaultModel(opts.guardrails ?? guardrailsSource(platform, clients)),
    log: opts.log,
  };
}

/** Submitted tasks start in an asynchronous invocation of the named function (the API Lambda itself). */
export function lambdaTaskDispatcher(platform: Pick<PlatformConfig, 'region'>, functionName: string): TaskDispatcher {
  return new LambdaTaskDispatcher(lambdaClient({ region: platform.region }), functionName);
}
