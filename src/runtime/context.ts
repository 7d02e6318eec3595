/** Everything a runtime operation needs, found from the env name alone. */
import { createClients, type AwsClients } from '../aws/clients';
import { loadPlatformConfig } from '../platform/platform-config';
import type { RuntimePlatform } from '../platform/platform-document';
import { assertEnvName } from '../platform/names';

export interface RuntimeContext {
  env: string;
  /** The part of the platform document the runtime layer reads (the custom resource has only this). */
  platform: RuntimePlatform;
  /**
   * One injected client per service (src/aws/clients.ts); nothing in the runtime builds its own.
   * The context keeps the clients, not gateway objects, because the custom resource and the tests
   * build it as a plain record: the SSM, AgentCore and ECR edges are functions over these clients
   * (pointer.ts, agent-runtime.ts, endpoints.ts, image.ts, ecr-copy.ts), and each table is reached
   * through its one store over `doc` (the audit table: src/audit/store.ts; the locks: lock.ts).
   */
  clients: AwsClients;
  /** Who acts: recorded in the pointer description and the audit table. */
  actor: string;
  /** Progress for humans; `transient` marks poll updates a terminal may overwrite in place. */
  log: (line: string, opts?: { transient?: boolean }) => void;
}

export function defaultActor(): string {
  if (process.env.GITHUB_ACTIONS === 'true') return `github:${process.env.GITHUB_ACTOR ?? 'unknown'}@${process.env.GITHUB_REPOSITORY ?? ''}`;
  return `${process.env.USER ?? process.env.USERNAME ?? 'unknown'}@local`;
}

export async function openRuntime(env: string, opts: { clients?: AwsClients; actor?: string; log?: RuntimeContext['log'] } = {}): Promise<RuntimeContext> {
  assertEnvName(env);
  const clients = opts.clients ?? createClients();
  const platform = await loadPlatformConfig(clients.ssm, env);
  return { env, platform, clients, actor: opts.actor ?? defaultActor(), log: opts.log ?? (() => {}) };
}
