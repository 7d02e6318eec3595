/**
 * The wiring: the one place that builds the services from the platform document, for the API
 * Lambda, the provisioner and reconciler Lambdas and the local control plane alike. Entry points
 * (src/handlers, src/api/server.ts, src/local) call it; domains never import it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { createClients, lambdaClient, route53ResolverClient, type AwsClients } from '../aws/clients';
import { ApiKeyStore } from '../auth/api-keys';
import { Authenticator } from '../auth/authenticate';
import { cognitoAccessTokenVerifier } from '../auth/cognito';
import { GuardrailsSource } from '../platform/guardrails';
import { componentLogger, type Component } from '../platform/logging';
import { platformNames, resolveEnv } from '../platform/names';
import { loadPlatformConfig, type PlatformConfig } from '../platform/platform-config';
import { LIVE_ENDPOINT } from '../platform/runtime-spec';
import { ConfigAudit } from '../repos/audit';
import { FirewallDomainList } from '../repos/dns-firewall';
import { RepoService } from '../repos/onboarding';
import type { ProvisionerDeps } from '../repos/provisioner';
import { RepoStore } from '../repos/store';
import { AgentCoreInvoker, type AgentInvoker } from '../tasks/invoker';
import { liveDefaultModel } from '../tasks/config';
import { InProcessTaskDispatcher, LambdaTaskDispatcher, type TaskDispatcher } from '../tasks/dispatch';
import { startTask, type TaskDeps } from '../tasks/orchestrator';
import { TaskStore } from '../tasks/store';

/** How long guardrails are cached by default: a host's change applies within this time. */
export const GUARDRAILS_CACHE_MS = 30_000;

/** What the HTTP app (src/api/app.ts) and its routers use. */
export interface ApiDeps {
  env: string;
  platform: PlatformConfig;
  clients: AwsClients;
  log: Logger;
  authenticator: Authenticator;
  apiKeys: ApiKeyStore;
  repos: RepoService;
  store: RepoStore;
  audit: ConfigAudit;
  tasks: TaskDeps;
  taskDispatcher: TaskDispatcher;
}

export interface ApiDepsOptions {
  env: string;
  platform: PlatformConfig;
  clients: AwsClients;
  log: Logger;
  /** How long guardrails are cached (default GUARDRAILS_CACHE_MS). */
  guardrailsCacheMs?: number;
  /** Called after each committed repository change (the local in-process provisioner). */
  onRepoChange?: (repo: string) => void;
  /** Where submitted tasks run (default: in this process, in the background). */
  taskDispatcher?: (tasks: TaskDeps) => TaskDispatcher;
}

/**
 * ARN prefix every token secret must carry: the platform's partition, region and account (taken
 * from the runtime's ARN, which the platform document always has) and its secret prefix.
 */
export function secretArnPrefix(platform: PlatformConfig): string {
  const [, partition, , region, account] = platform.agentRuntimeArn.split(':');
  return `arn:${partition}:secretsmanager:${region ?? platform.region}:${account}:secret:${platform.secretPrefix}`;
}

/** ARN prefix a RepoConfig's runtime_arn must carry: an AgentCore runtime of the platform's account and region. */
export function runtimeArnPrefix(platform: PlatformConfig): string {
  const [, partition, , region, account] = platform.agentRuntimeArn.split(':');
  return `arn:${partition}:bedrock-agentcore:${region ?? platform.region}:${account}:runtime/`;
}

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
  platform: Pick<PlatformConfig, 'tables' | 'agentRuntimeArn' | 'guardrailsParameter'>,
  clients: Pick<AwsClients, 'doc' | 'ssm'>,
  opts: TaskDepsOptions = {},
): TaskDeps {
  return {
    store: new TaskStore(clients.doc, platform.tables.tasks),
    repos: new RepoStore(clients.doc, platform.tables.repos),
    invoker: opts.invoker ?? new AgentCoreInvoker({ runtimeArn: platform.agentRuntimeArn, qualifier: LIVE_ENDPOINT }),
    defaultModelId: liveDefaultModel(opts.guardrails ?? guardrailsSource(platform, clients)),
    log: opts.log,
  };
}

export function buildApiDeps(opts: ApiDepsOptions): ApiDeps {
  const { platform, clients } = opts;
  const store = new RepoStore(clients.doc, platform.tables.repos);
  const audit = new ConfigAudit(clients.doc, platform.tables.audit, opts.env);
  const apiKeys = new ApiKeyStore(clients.doc, platform.tables.apiKeys);
  const authenticator = new Authenticator(cognitoAccessTokenVerifier({ userPoolId: platform.userPoolId, clientId: platform.userPoolClientId }), apiKeys);
  const guardrails = guardrailsSource(platform, clients, opts.guardrailsCacheMs);
  const repos = new RepoService({
    env: opts.env,
    store,
    audit,
    guardrails,
    secrets: clients.secrets,
    secretPrefix: platform.secretPrefix,
    secretArnPrefix: secretArnPrefix(platform),
    runtimeArnPrefix: runtimeArnPrefix(platform),
    onChange: opts.onRepoChange,
  });
  const tasks = taskDeps(platform, clients, { guardrails, log: (line) => opts.log.info(line) });
  const taskDispatcher =
    opts.taskDispatcher?.(tasks) ??
    new InProcessTaskDispatcher(
      (id) => startTask(tasks, id),
      (id, e) => opts.log.error('task run failed', { task_id: id, error: String(e) }),
    );
  return { env: opts.env, platform, clients, log: opts.log, authenticator, apiKeys, repos, store, audit, tasks, taskDispatcher };
}

/** Submitted tasks start in an asynchronous invocation of the named function (the API Lambda itself). */
export function lambdaTaskDispatcher(platform: Pick<PlatformConfig, 'region'>, functionName: string): TaskDispatcher {
  return new LambdaTaskDispatcher(lambdaClient({ region: platform.region }), functionName);
}

/** The provisioner's dependencies, for the stream Lambda and the local server's in-process provisioner. */
export function buildProvisionerDeps(opts: { env: string; platform: PlatformConfig; clients: AwsClients; log: Logger }): ProvisionerDeps {
  const { platform, clients } = opts;
  const listId = platform.onboardedDomainListId;
  return {
    store: new RepoStore(clients.doc, platform.tables.repos),
    secrets: clients.secrets,
    audit: new ConfigAudit(clients.doc, platform.tables.audit, opts.env),
    // No list where DNS Firewall is not deployed (local mode: moto does not emulate it).
    domainList: listId
      ? new FirewallDomainList(route53ResolverClient({ region: platform.region }), listId, platformNames(opts.env).dnsFirewall.onboardedList)
      : undefined,
    log: opts.log,
  };
}

/** What every Lambda starts from: its environment, clients, its own logger and the platform document. */
export interface LambdaContext {
  env: string;
  clients: AwsClients;
  log: Logger;
  platform: PlatformConfig;
}

export async function lambdaContext(component: Component): Promise<LambdaContext> {
  const env = resolveEnv();
  const clients = createClients();
  const log = componentLogger(component);
  const platform = await loadPlatformConfig(clients.ssm, env);
  return { env, clients, log, platform };
}

/**
 * Set up once per Lambda container, at the first invocation rather than at import (cold init stays
 * small); a failed set-up is tried again on the next invocation.
 */
export function onFirstUse<T>(setUp: () => Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () =>
    (ready ??= setUp().catch((e) => {
      ready = undefined;
      throw e;
    }));
}
