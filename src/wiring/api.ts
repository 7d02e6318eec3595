/**
 * The wiring of the HTTP app: everything it needs, built once per process (Lambda container or
 * local server) from the platform document, so both run the same handlers over the same services.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../aws/clients';
import { ApiKeyStore } from '../auth/api-keys';
import { Authenticator } from '../auth/authenticate';
import { cognitoAccessTokenVerifier } from '../auth/cognito';
import type { PlatformConfig } from '../platform/platform-config';
import { ConfigAudit } from '../audit/config';
import { RepoService } from '../repos/service';
import { RepoStore } from '../repos/store';
import { InProcessTaskDispatcher, type TaskDispatcher } from '../tasks/dispatch';
import { startTask, type TaskDeps } from '../tasks/orchestrator';
import { guardrailsSource, taskDeps } from './tasks';

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
  /**
   * Clients the default in-process dispatcher starts tasks with. On AWS the API hands a start to the
   * reconciler function (TASK_RUNNER_FUNCTION), whose role alone reads token secrets; locally the
   * start runs in this process with that role's session (default: `clients`).
   */
  taskRunnerClients?: AwsClients;
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
  const runner = opts.taskRunnerClients ? taskDeps(platform, opts.taskRunnerClients, { guardrails, log: (line) => opts.log.info(line) }) : tasks;
  const taskDispatcher =
    opts.taskDispatcher?.(tasks) ??
    new InProcessTaskDispatcher(
      (id) => startTask(runner, id),
      (id, e) => opts.log.error('task run failed', { task_id: id, error: String(e) }),
    );
  return { env: opts.env, platform, clients, log: opts.log, authenticator, apiKeys, repos, store, audit, tasks, taskDispatcher };
}
