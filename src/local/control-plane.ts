/**
 * The whole control plane on one machine, no AWS account: moto (the AWS control planes) → the
 * AgentCore data plane (agentcore-data-plane.ts: InvokeAgentRuntime/StopRuntimeSession, one agent
 * process per session, started for the image the endpoint serves) → the platform bootstrapped from
 * the stack's own definitions → the API over the same handlers Lambda runs → the task reconciler on
 * its schedule → a local admin user. Used by `npm run dev` (stays up) and `npm run demo`
 * (one-shot). Everything listens on loopback and `stop()` ends all of it.
 */
import { chmodSync, closeSync, createWriteStream, openSync, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { startApiServer, type ApiServer } from '../api/server';
import { createClients, type AwsClients } from '../aws/clients';
import type { PlatformConfig } from '../platform/platform-config';
import { RECONCILE_INTERVAL_MS, startReconcilerLoop, type ReconcilerSettings } from '../tasks';
import { taskDeps } from '../wiring/tasks';
import { startAgentCoreDataPlane, type AgentCoreDataPlane } from './agentcore-data-plane';
import { ensureLocalUser, type LocalUser } from './admin-user';
import { bootstrapLocal } from './bootstrap';
import { componentSession, type Component } from './iam/sessions';
import { cachedStacks } from './iam/stack';
import { startMoto, type MotoServer } from './moto';

/** The bootstrap's credentials: what Terraform's would be (unrestricted, as an administrator's). */
const ADMIN = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface ControlPlaneOptions {
  env: string;
  /** API port on 127.0.0.1; 0 = any free port. */
  port: number;
  /** When the port is taken, serve on a free one instead (and say so) rather than fail. */
  portFallback?: boolean;
  /** Where env.sh, admin.json, platform.json and api.log go (none written when absent). */
  stateDir?: string;
  /** The commit the local agent reports (its /version), as GIT_COMMIT does in the image. */
  agentCommit?: string;
  /** How long each step of the agent's plan takes (ABCA_AGENT_STEP_MS; default 0). */
  agentStepMs?: number;
  /** The agent's heartbeat interval (ABCA_HEARTBEAT_MS; default 30 s). */
  heartbeatMs?: number;
  /** A shell command that runs the agent for every image (`--agent-cmd`; docs/agent-contract.md). */
  agentCommand?: string;
  /** The reconciler's schedule (default every minute) and thresholds (default: as in AWS). */
  reconcileIntervalMs?: number;
  reconciler?: Partial<ReconcilerSettings>;
  /**
   * IAM enforcement (default on): each component acts as its stack role, judged against the
   * stack's policies (docs/local-mode.md). Off only to debug the emulator itself.
   */
  iam?: boolean;
  /** Append every IAM decision to this file as a JSON line. */
  iamLog?: string;
  say?: (line: string) => void;
}

export interface ControlPlane {
  env: string;
  moto: MotoServer;
  dataPlane: AgentCoreDataPlane;
  api: ApiServer;
  platform: PlatformConfig;
  clients: AwsClients;
  admin: LocalUser;
  /** What another process needs to talk to this control plane (what env.sh exports). */
  vars: Record<string, string>;
  stop(): Promise<void>;
}

/** Writes a local state file with exactly `mode`: the mode option only applies when the file is created. */
export function writeStateFile(dir: string, name: string, text: string, mode: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const say = opts.say ?? (() => {});
  // The SDK's Node 20 end-of-support notice concerns AWS use, not a local emulator: keep it out of the way.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const enforce = opts.iam ?? true;
  // The decision log may live in the state folder: it must exist before the first request.
  if (opts.stateDir) mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  say(`starting moto (local AWS emulator)${enforce ? ', IAM enforced' : ', IAM NOT enforced'}…`);
  const moto = await startMoto(enforce ? { iam: { stack: cachedStacks(), ...(opts.iamLog ? { decisionLog: opts.iamLog } : {}) } } : {});
  let dataPlane: AgentCoreDataPlane | undefined;
  let reconciler: { stop(): Promise<void> } | undefined;
  let api: ApiServer | undefined;
  let apiLog: WriteStream | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await reconciler?.stop().catch(() => undefined);
      await api?.close().catch(() => undefined);
      await dataPlane?.stop().catch(() => undefined);
      apiLog?.end();
      await moto.stop();
    })());

  try {
    const vars: Record<string, string> = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      ABCA_ENV: opts.env,
    };
    // This process talks to the emulator like any other client: through the standard variables.
    Object.assign(process.env, vars);
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;

    if (opts.stateDir) {
      mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
      // Modes apply only when a file is created: set them again on files from an earlier run.
      chmodSync(opts.stateDir, 0o700);
      // API logs (JSON lines) go to a file: the terminal stays readable.
      const logFile = path.join(opts.stateDir, 'api.log');
      closeSync(openSync(logFile, 'a', 0o600));
      chmodSync(logFile, 0o600);
      apiLog = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    }
    const log = apiLog ? (line: string) => void apiLog!.write(`${line}\n`) : () => undefined;

    // AgentCore's data plane: the SDK reaches it through its service-specific endpoint variable.
    dataPlane = await startAgentCoreDataPlane({
      controlEndpoint: moto.endpoint,
      agentEnv: {
        ...(opts.agentCommit ? { GIT_COMMIT: opts.agentCommit } : {}),
        ...(opts.agentStepMs !== undefined ? { ABCA_AGENT_STEP_MS: String(opts.agentStepMs) } : {}),
        ...(opts.heartbeatMs !== undefined ? { ABCA_HEARTBEAT_MS: String(opts.heartbeatMs) } : {}),
      },
      ...(opts.agentCommand ? { agentCommand: opts.agentCommand } : {}),
      log,
      // Invocations are judged by the same enforcement point as every request to moto.
      ...(moto.iam ? { iam: moto.iam.enforcer } : {}),
    });
    vars.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = dataPlane.endpoint;
    process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE = dataPlane.endpoint;

    // What Terraform does (bootstrap) and seeding the admin user run with the admin credentials.
    const clients = createClients();
    let apiUrl = `http://127.0.0.1:${opts.port}`;
    let { platform } = await bootstrapLocal({ env: opts.env, apiUrl, clients });
    say(`platform "${opts.env}" bootstrapped in ${moto.endpoint}`);
    // Every component as its own role, from an AssumeRole through the enforcement point.
    const as = async (component: Component) =>
      createClients({ credentials: await componentSession(moto.endpoint, opts.env, component, { credentials: ADMIN }) });
    const [apiClients, provisionerClients, reconcilerClients] = await Promise.all([as('api'), as('provisioner'), as('reconciler')]);

    const serve = (port: number) => startApiServer({ env: opts.env, port, clients: apiClients, provisionerClients, taskRunnerClients: reconcilerClients, log });
    api = await serve(opts.port).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE' || !opts.portFallback) throw e;
      say(`port ${opts.port} is in use; serving the API on a free port instead`);
      return serve(0);
    });
    if (api.url !== apiUrl) {
      // The platform document tells the CLI where the API is: make it say the real address.
      apiUrl = api.url;
      ({ platform } = await bootstrapLocal({ env: opts.env, apiUrl, clients }));
    }
    vars.ABCA_API_URL = apiUrl;
    // The reconciler Lambda's schedule, as a loop here.
    reconciler = startReconcilerLoop(taskDeps(platform, reconcilerClients, { log }), {
      intervalMs: opts.reconcileIntervalMs ?? RECONCILE_INTERVAL_MS,
      settings: opts.reconciler,
    });
    const admin = await ensureLocalUser(clients.cognito, platform.userPoolId, 'admin', 'admin');

    if (opts.stateDir) {
      vars.BGAGENT_CONFIG_DIR = path.join(opts.stateDir, 'bgagent');
      const write = (name: string, text: string, mode: number) => writeStateFile(opts.stateDir!, name, text, mode);
      write(
        'env.sh',
        [
          '# Generated by the local control plane: points AWS SDKs, scripts and bgagent at it.',
          ...Object.entries(vars).map(([k, v]) => `export ${k}=${v}`),
          '',
        ].join('\n'),
        0o600,
      );
      write('admin.json', `${JSON.stringify(admin, null, 2)}\n`, 0o600);
      write('platform.json', `${JSON.stringify(platform, null, 2)}\n`, 0o644);
    }
    return { env: opts.env, moto, dataPlane, api, platform, clients, admin, vars, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
