/**
 * The API as a Node HTTP server over the same app the Lambda runs, against whatever AWS_ENDPOINT_URL
 * names (moto locally). Repository changes are provisioned in-process after each write.
 *
 *   const api = await startApiServer({ env: 'dev', port: 0 });   // port 0: any free port
 *   … fetch(`${api.url}/v1/repos`) …
 *   await api.close();
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createClients, type AwsClients } from '../aws/clients';
import { assertEnvName } from '../platform/names';
import { loadPlatformConfig, type PlatformConfig } from '../platform/platform-config';
import * as path from 'node:path';
import { createApp, type ApiApp, type CreateAppOptions } from './app';
import { cognitoEndpointFor } from './console';
import { guardedCreateServer } from './body-guard';
import { componentLogger, SERVICE_NAMES, type LogOption } from '../platform/logging';
import { buildApiDeps, type ApiDeps, type ApiDepsOptions } from '../wiring/api';
import { buildProvisionerDeps } from '../wiring/provisioner';
import { LocalProvisioner } from './local-provisioner';

export interface ApiServerOptions {
  env: string;
  port: number;
  /** Default 127.0.0.1: the local control plane is not for the network. */
  host?: string;
  clients?: AwsClients;
  /** A Powertools logger, or a function receiving each JSON log line (default: stdout). */
  log?: LogOption;
  /** Guardrails cache (default 30 s). */
  guardrailsCacheMs?: number;
  /** Run the provisioner in-process after each change (default true). */
  provision?: boolean;
  /** The in-process provisioner's own clients, as its Lambda has its own role (default: `clients`). */
  provisionerClients?: AwsClients;
  /** The clients in-process task starts use, as the reconciler function's role on AWS (default: `clients`). */
  taskRunnerClients?: AwsClients;
  /** Extra routers under /v1 (e.g. tasks). */
  routers?: (deps: ApiDeps) => CreateAppOptions['routers'];
  /** Where submitted tasks start (default: in this process, in the background, as an async invocation would). */
  taskDispatcher?: ApiDepsOptions['taskDispatcher'];
  /** The built console (default dist/console of this checkout, as `npm run build:console` writes it). */
  consoleDir?: string;
}

/** Where `npm run build:console` puts the console (src/console/vite.config.ts). */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '..', '..', 'dist', 'console');

export interface ApiServer {
  url: string;
  port: number;
  platform: PlatformConfig;
  app: ApiApp;
  /** Resolves when every change so far has been provisioned. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const env = assertEnvName(opts.env);
  const clients = opts.clients ?? createClients();
  const log = componentLogger('api', opts.log);
  const platform = await loadPlatformConfig(clients.ssm, env);
  const provisioner =
    opts.provision === false
      ? undefined
      : new LocalProvisioner(
          // The provisioner logs as itself, as its Lambda does in AWS.
          buildProvisionerDeps({
            env,
            platform,
            clients: opts.provisionerClients ?? clients,
            log: log.createChild({ serviceName: SERVICE_NAMES.provisioner }),
          }),
        );
  const deps = buildApiDeps({
    env,
    platform,
    clients,
    log,
    guardrailsCacheMs: opts.guardrailsCacheMs,
    onRepoChange: provisioner && ((repo) => provisioner.notify(repo)),
    taskDispatcher: opts.taskDispatcher,
    taskRunnerClients: opts.taskRunnerClients,
  });
  const app = createApp(deps, {
    routers: opts.routers?.(deps),
    console: {
      dir: opts.consoleDir ?? DEFAULT_CONSOLE_DIR,
      signIn: {
        env,
        region: platform.region,
        userPoolId: platform.userPoolId,
        userPoolClientId: platform.userPoolClientId,
        cognitoEndpoint: cognitoEndpointFor(platform.region),
      },
    },
  });

  const hostname = opts.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    // Oversized declared bodies are read, then answered 413 (body-guard.ts), never reset.
    const s = serve({ fetch: app.fetch, port: opts.port, hostname, createServer: guardedCreateServer(log) }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  log.info('API listening', { url: `http://${host}:${port}`, env });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    platform,
    app,
    idle: async () => {
      await provisioner?.idle();
      await deps.taskDispatcher.idle();
    },
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Idle keep-alive sockets would hold close() open.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }).then(async () => {
        await provisioner?.idle();
        await deps.taskDispatcher.idle();
      })),
  };
}
