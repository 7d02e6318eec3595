/**
 * The AgentCore data plane on one machine: InvokeAgentRuntime and StopRuntimeSession (REST paths,
 * headers and errors of botocore's bedrock-agentcore 2024-02-28 model), reached by the SDK through
 * the standard AWS_ENDPOINT_URL_BEDROCK_AGENTCORE. moto serves the control plane; this serves what
 * AgentCore does with it:
 *
 *   runtime ARN + qualifier (endpoint name, DEFAULT when absent)
 *     → GetAgentRuntimeEndpoint: its liveVersion
 *     → GetAgentRuntime with that agentRuntimeVersion: its container URI → image digest
 *     → the image in ECR (must exist; its manifest's annotations can mark it faulty)
 *     → an agent process started for that image (IMAGE_DIGEST in its environment, with the
 *       runtime's environment variables), which serves the session.
 *
 * The parts, in src/local/data-plane/: which image serves a call (runtimes.ts), the agent process
 * that stands in for a microVM (agent-process.ts), sessions pinned to their process (sessions.ts),
 * and the HTTP operations (routes.ts). This file puts them together.
 *
 * A deliberately bad image: push it with the manifest annotation `org.abca.local.agent-fault:
 * unhealthy` (pushLocalImage's `annotations`); its agent answers /ping with 500, so every
 * invocation on a version serving it fails with RuntimeClientError (424), as a container that never
 * becomes healthy does in AgentCore.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentCoreControlClient, ecrClient } from '../aws/clients';
import { dataPlaneRoutes, type DataPlaneCall } from './data-plane/routes';
import { enforcedListener, type RequestCheck } from './iam/proxy';
import { RuntimeResolver } from './data-plane/runtimes';
import { SessionPool, type SessionInfo } from './data-plane/sessions';

export interface DataPlaneOptions {
  /** The control plane (moto); default AWS_ENDPOINT_URL. */
  controlEndpoint?: string;
  region?: string;
  /** More environment for every agent process (knobs such as ABCA_AGENT_STEP_MS, ABCA_HEARTBEAT_MS). */
  agentEnv?: Record<string, string>;
  /** How long a new agent may take to answer /ping healthily (default 15 s). */
  startTimeoutMs?: number;
  /** Seconds; override the runtime's lifecycleConfiguration (tests). */
  lifecycle?: { idleRuntimeSessionTimeout?: number; maxLifetime?: number };
  log?: (line: string) => void;
  /**
   * IAM enforcement (docs/local-mode.md): InvokeAgentRuntime and StopRuntimeSession are authorized
   * by this Enforcer (or the proxy's, asked remotely) before they are served, as every request to
   * moto is by the proxy.
   */
  iam?: RequestCheck;
  /** The agent command for every image (`npm run dev -- --agent-cmd`, src/local/data-plane/agent-process.ts). */
  agentCommand?: string;
}

export interface AgentCoreDataPlane {
  /** What AWS_ENDPOINT_URL_BEDROCK_AGENTCORE should be. */
  endpoint: string;
  /** Every call served, in order. */
  calls: DataPlaneCall[];
  sessions(): SessionInfo[];
  /** Environment for agents started from now on (a knob between tests: step time, heartbeat). */
  setAgentEnv(vars: Record<string, string>): void;
  /** Kills a session's agent abruptly (SIGKILL), as a crashed microVM: the session is gone. */
  killSession(sessionId: string): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startAgentCoreDataPlane(opts: DataPlaneOptions = {}): Promise<AgentCoreDataPlane> {
  const controlEndpoint = opts.controlEndpoint ?? process.env.AWS_ENDPOINT_URL;
  if (!controlEndpoint) throw new Error('the local AgentCore data plane needs the control plane endpoint (AWS_ENDPOINT_URL)');
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  // The data plane's own reads of the control plane, at the endpoint it was given.
  const clientOpts = { region, endpoint: controlEndpoint, maxAttempts: 2 };
  const resolver = new RuntimeResolver(agentCoreControlClient(clientOpts), ecrClient(clientOpts));
  const log = opts.log ?? (() => {});
  let agentEnv: Record<string, string> = { ...(opts.agentEnv ?? {}) };
  const sessions = new SessionPool(
    resolver,
    { controlEndpoint, region, agentEnv: () => agentEnv, startTimeoutMs: opts.startTimeoutMs ?? 15_000, log, agentCommand: opts.agentCommand },
    log,
  );
  const calls: DataPlaneCall[] = [];
  const routes = dataPlaneRoutes({ resolver, sessions, calls, log });
  const server = http.createServer(opts.iam ? enforcedListener(opts.iam, routes) : routes);
  const sweep = sessions.startSweep(opts.lifecycle);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    calls,
    sessions: () => sessions.list(),
    setAgentEnv: (vars) => {
      agentEnv = { ...(opts.agentEnv ?? {}), ...vars };
    },
    killSession: async (sessionId) => {
      const session = sessions.get(sessionId);
      if (!session) return false;
      await sessions.end(session, 'SIGKILL');
      return true;
    },
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(sweep);
        await sessions.endAll();
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      })()),
  };
}
