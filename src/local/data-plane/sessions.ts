/**
 * Sessions are what AgentCore isolates in a microVM: a session is pinned to the process (and so the
 * version) that first served it, whatever the endpoint does later. One process serves one session,
 * so ending a session (StopRuntimeSession, its idle timeout or its maximum lifetime) ends exactly
 * that session's work by ending its process, as AgentCore does.
 */
import type { ChildProcess } from 'node:child_process';
import { killAgent, spawnAgent, type AgentProcessOptions } from './agent-process';
import { DataPlaneError } from './errors';
import type { RuntimeResolver } from './runtimes';

/** AWS's message when the version a call reaches lacks metadataConfiguration.requireMMDSV2. */
export const MMDSV2_REQUIRED = 'This runtime is not MMDSv2-enabled';

export interface SessionInfo {
  sessionId: string;
  agentRuntimeId: string;
  qualifier: string;
  version: string;
  digest: string;
  pid: number;
  url: string;
  startedAt: number;
}

export interface Session {
  info: SessionInfo;
  child: ChildProcess;
  lastActivity: number;
  exited: Promise<void>;
  gone: boolean;
}

/** Seconds, as AgentCore's lifecycleConfiguration names them. */
export interface SessionLifecycle {
  idleRuntimeSessionTimeout?: number;
  maxLifetime?: number;
}

export class SessionPool {
  private readonly sessions = new Map<string, Session>();
  private readonly starting = new Map<string, Promise<Session>>();

  constructor(
    private readonly resolver: RuntimeResolver,
    private readonly agents: AgentProcessOptions,
    private readonly log: (line: string) => void,
  ) {}

  get(sessionId: string): Session | undefined {
    return this.sessions.get(sessionId);
  }

  /** The sessions still running. */
  list(): SessionInfo[] {
    return [...this.sessions.values()].filter((s) => !s.gone).map((s) => ({ ...s.info }));
  }

  /** The session's process, started on first use (concurrent first calls share one start). */
  async sessionFor(arn: string, qualifier: string, sessionId: string): Promise<Session> {
    const live = this.sessions.get(sessionId);
    if (live && !live.gone) return live;
    let pending = this.starting.get(sessionId);
    if (!pending) {
      pending = this.open(arn, qualifier, sessionId).finally(() => this.starting.delete(sessionId));
      this.starting.set(sessionId, pending);
    }
    return pending;
  }

  async end(session: Session, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.sessions.delete(session.info.sessionId);
    if (session.gone) return;
    killAgent(session.child, signal);
    const timer = setTimeout(() => killAgent(session.child, 'SIGKILL'), 3000);
    await session.exited;
    clearTimeout(timer);
  }

  async endAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.end(s)));
  }

  /** AgentCore ends a session idle for idleRuntimeSessionTimeout, and any session after maxLifetime. */
  startSweep(lifecycle: SessionLifecycle = {}): NodeJS.Timeout {
    const sweep = setInterval(() => this.sweep(lifecycle), 1000);
    sweep.unref();
    return sweep;
  }

  private sweep(lifecycle: SessionLifecycle): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      const idle = lifecycle.idleRuntimeSessionTimeout ?? 900;
      const max = lifecycle.maxLifetime ?? 28_800;
      if (now - session.info.startedAt > max * 1000) {
        this.log(`session ${session.info.sessionId} reached its maximum lifetime`);
        void this.end(session);
        continue;
      }
      if (now - session.lastActivity <= idle * 1000) continue;
      void fetch(`${session.info.url}/ping`)
        .then((r) => r.json() as Promise<{ status?: string }>)
        .then(
          (p) => {
            if (p.status === 'HealthyBusy') session.lastActivity = Date.now();
            else {
              this.log(`session ${session.info.sessionId} idle for ${idle} s: ended`);
              void this.end(session);
            }
          },
          () => void this.end(session),
        );
    }
  }

  private async open(arn: string, qualifier: string, sessionId: string): Promise<Session> {
    const image = await this.resolver.served(arn, qualifier);
    // Since 2026-06-30 AgentCore refuses to invoke a version that does not require MMDSv2 (AgentCore
    // Runtime troubleshooting guide; docs/agentcore-emulator.md, D9): no session starts on it.
    if (image.config.metadataConfiguration?.requireMMDSV2 !== true) throw new DataPlaneError(400, 'ValidationException', MMDSV2_REQUIRED);
    const { child, url } = await spawnAgent(this.agents, image, sessionId);
    const session: Session = {
      info: {
        sessionId,
        agentRuntimeId: image.runtimeId,
        qualifier,
        version: image.version,
        digest: image.digest,
        pid: child.pid!,
        url,
        startedAt: Date.now(),
      },
      child,
      lastActivity: Date.now(),
      gone: false,
      exited: new Promise<void>((r) => child.once('exit', () => r())),
    };
    void session.exited.then(() => {
      session.gone = true;
      if (this.sessions.get(sessionId) === session) this.sessions.delete(sessionId);
    });
    this.sessions.set(sessionId, session);
    this.log(`session ${sessionId} on ${image.runtimeId} ${qualifier} → version ${image.version} ${image.digest.slice(0, 19)}… (pid ${child.pid})`);
    return session;
  }
}
