/**
 * The enforcement point: an HTTP proxy on loopback in front of moto. Each request is identified
 * (request.ts), its signer looked up by SigV4 access key, and, for a session of a stack role,
 * every IAM question it asks must be allowed (engine.ts) before moto sees it; a refusal is AWS's
 * AccessDenied in the protocol's shape. Sessions are learnt from the AssumeRole answers passing
 * through (access key -> role, session name, session tags). Keys no AssumeRole issued here are the
 * bootstrap/admin credentials (what Terraform would use) and are not restricted.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Authorizer, sessionArn, type Session, type Verdict } from './engine';
import { envOfRoleArn, envOfRuntimeName, type Environments } from './environments';
import type { UsedGrant } from './grants';
import { identify, questionsFor, UnmappableRequest, type HttpRequest, type Identified, type Question } from './request';

/** One line of the decision log (JSON lines). */
export interface DecisionRecord {
  at: string;
  principal: string;
  roleArn?: string;
  service: string;
  operation: string;
  action?: string;
  resource?: string;
  decision: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'Unrestricted';
  reason?: string;
}

export type { UsedGrant } from './grants';

export interface IamProxyOptions {
  /** moto's endpoint (http://127.0.0.1:<port>). */
  target: string;
  authorizer: Authorizer;
  /** Append every decision as a JSON line to this file. */
  decisionLog?: string;
  /** Compile environments as their roles and runtimes appear (else only `authorizer`'s policies). */
  environments?: Environments;
}

export interface IamProxy {
  endpoint: string;
  /** The decision point itself, for another server of the same process (the local data plane). */
  enforcer: Enforcer;
  sessions: Map<string, Session>;
  /** Grants used so far, deduplicated. */
  used(): UsedGrant[];
  stats(): ProxyStats;
  close(): Promise<void>;
}

export interface ProxyStats {
  requests: number;
  restricted: number;
  denied: number;
  /** Time spent deciding (identify + questions + evaluation), in ms. */
  decideMs: number;
}

/** Tag keys and values of an AssumeRole query request (Tags.member.N.Key/Value). */
function assumeRoleTags(params: Record<string, unknown>): { tags: Record<string, string>; transitive: string[] } {
  const tags: Record<string, string> = {};
  for (let i = 1; params[`Tags.member.${i}.Key`] !== undefined; i++)
    tags[String(params[`Tags.member.${i}.Key`])] = String(params[`Tags.member.${i}.Value`] ?? '');
  const transitive: string[] = [];
  for (let i = 1; params[`TransitiveTagKeys.member.${i}`] !== undefined; i++) transitive.push(String(params[`TransitiveTagKeys.member.${i}`]));
  return { tags, transitive };
}

/** The session an AssumeRole answer created, from its request and its XML answer. */
export function sessionFromAssumeRole(
  params: Record<string, unknown>,
  responseXml: string,
  caller?: Session,
): { accessKeyId: string; session: Session } | undefined {
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(responseXml)?.[1];
  if (!accessKeyId || typeof params.RoleArn !== 'string') return undefined;
  const { tags, transitive } = assumeRoleTags(params);
  // Role chaining: the caller's transitive tags carry over (and cannot be overridden).
  const inherited = Object.fromEntries((caller?.transitiveTagKeys ?? []).filter((k) => caller?.tags[k] !== undefined).map((k) => [k, caller!.tags[k]!]));
  return {
    accessKeyId,
    session: {
      roleArn: params.RoleArn,
      sessionName: String(params.RoleSessionName ?? 'session'),
      tags: { ...tags, ...inherited },
      transitiveTagKeys: [...new Set([...transitive, ...(caller?.transitiveTagKeys ?? [])])],
    },
  };
}

/** AWS's AccessDenied answer for a protocol: status, headers, body. */
export function accessDenied(
  req: Pick<Identified, 'service' | 'protocol'>,
  message: string,
): { status: number; headers: Record<string, string>; body: string } {
  const requestId = 'abca-iam-denied';
  switch (req.protocol) {
    case 'json':
      return {
        status: 400,
        headers: {
          'content-type': req.service === 'dynamodb' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ __type: 'AccessDeniedException', message }),
      };
    case 'query':
      if (req.service === 'ec2') {
        return {
          status: 403,
          headers: { 'content-type': 'text/xml' },
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. ${xml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        };
      }
      return {
        status: 403,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${xml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'rest-xml':
      return {
        status: 403,
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${xml(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
    default:
      return {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ message }),
      };
  }
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** AWS's text for a refused question. */
export function deniedMessage(principal: string, q: Pick<Question, 'action' | 'resource'>, reason: string): string {
  return `User: ${principal} is not authorized to perform: ${q.action} on resource: ${q.resource} ${reason}`;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type Outcome = { allowed: true; session?: Session } | { allowed: false; message: string; identified: Identified };

/**
 * The enforcement decision for one request (no I/O besides the log): who sent it, and whether
 * every question it asks is allowed.
 */
export class Enforcer {
  readonly sessions = new Map<string, Session>();
  /**
   * Tags of resources created through this point (resource ARN → tags), for `aws:ResourceTag/*`:
   * AWS evaluates a resource's own tags, which no request carries.
   */
  readonly resourceTags = new Map<string, Record<string, string>>();
  private readonly usedGrants = new Map<string, UsedGrant>();
  readonly counters: ProxyStats = { requests: 0, restricted: 0, denied: 0, decideMs: 0 };

  /**
   * `lookup` finds a session another enforcement point learnt (the data plane asks the moto proxy,
   * which saw the AssumeRole); a key neither knows is the bootstrap's.
   */
  constructor(
    readonly authorizer: Authorizer,
    private readonly log?: (record: DecisionRecord) => void,
    private readonly lookup?: (accessKeyId: string) => Promise<Session | undefined>,
    private readonly environments?: Environments,
  ) {}

  /** Compiles the environment a role belongs to, the first time the role is seen. */
  async learnRole(roleArn: unknown): Promise<void> {
    if (!this.environments || typeof roleArn !== 'string' || this.authorizer.role(roleArn)) return;
    const env = envOfRoleArn(roleArn);
    if (env && !this.environments.has(env)) await this.authorizer.extend(await this.environments.policies(env));
  }

  /** The tags a new user pool was created with (its ARN from the answer's Arn, else its Id). */
  private learnUserPoolTags(identified: Identified, body: Buffer): void {
    const tags = identified.params.UserPoolTags as Record<string, string> | undefined;
    if (!tags) return;
    let pool: { Id?: string; Arn?: string } | undefined;
    try {
      pool = (JSON.parse(body.toString('utf8')) as { UserPool?: { Id?: string; Arn?: string } }).UserPool;
    } catch {
      return;
    }
    const region = identified.region ?? this.authorizer.policies.region;
    const arn = pool?.Arn ?? (pool?.Id ? `arn:aws:cognito-idp:${region}:${this.authorizer.policies.account}:userpool/${pool.Id}` : undefined);
    if (arn) this.resourceTags.set(arn, { ...tags });
  }

  /** An environment's stack settings (false: this enforcement point does not compile environments). */
  async configure(env: string, context: Record<string, unknown>): Promise<boolean> {
    if (!this.environments) return false;
    if (this.environments.configure(env, context)) await this.authorizer.extend(await this.environments.policies(env));
    return true;
  }

  /** An environment's runtime was created (or read): its runtime-scoped grants now name it. */
  private async learnRuntime(name: unknown, arn: unknown): Promise<void> {
    if (!this.environments || typeof name !== 'string' || typeof arn !== 'string') return;
    const env = envOfRuntimeName(name);
    if (env && this.environments.runtimeCreated(env, arn)) await this.authorizer.extend(await this.environments.policies(env));
  }

  used(): UsedGrant[] {
    return [...this.usedGrants.values()];
  }

  async check(req: HttpRequest): Promise<{ outcome: Outcome; identified?: Identified }> {
    const started = performance.now();
    try {
      this.counters.requests++;
      const identified = identify(req);
      const key = identified?.accessKeyId;
      let session = key ? this.sessions.get(key) : undefined;
      if (key && !session && this.lookup) {
        session = await this.lookup(key);
        if (session) this.sessions.set(key, session);
      }
      if (identified?.service === 'sts' && identified.operation === 'AssumeRole') await this.learnRole(identified.params.RoleArn);
      if (session) await this.learnRole(session.roleArn);
      // A role in another account is that account's (its policies are not in this stack): its
      // sessions stand for that account's own access, as the admin credentials do for ours.
      if (session && !this.authorizer.role(session.roleArn) && session.roleArn.split(':')[4] !== this.authorizer.policies.account) session = undefined;
      if (!identified || !session) {
        if (identified && this.log)
          this.log({
            at: new Date().toISOString(),
            principal: 'bootstrap',
            service: identified.service,
            operation: identified.operation,
            decision: 'Unrestricted',
          });
        return { outcome: { allowed: true }, ...(identified ? { identified } : {}) };
      }
      this.counters.restricted++;
      const account = this.authorizer.policies.account;
      const principal = sessionArn(account, session);
      const deny = (message: string, record: Partial<DecisionRecord>): { outcome: Outcome; identified: Identified } => {
        this.counters.denied++;
        this.log?.({
          at: new Date().toISOString(),
          principal,
          roleArn: session.roleArn,
          service: identified.service,
          operation: identified.operation,
          decision: 'ImplicitlyDenied',
          reason: message,
          ...record,
        });
        return { outcome: { allowed: false, message, identified }, identified };
      };
      let questions: Question[] | undefined;
      try {
        questions = questionsFor(identified, this.authorizer.policies);
      } catch (e) {
        if (!(e instanceof UnmappableRequest)) throw e;
        return deny(`User: ${principal} is not authorized to perform ${identified.service}:${identified.operation}: ${e.message}`, {});
      }
      if (!questions) {
        return deny(
          `User: ${principal} is not authorized to perform ${identified.service}:${identified.operation}: the local IAM enforcement has no mapping for this operation (src/local/iam/operations.ts)`,
          {},
        );
      }
      for (const asked of questions) {
        const tags = Object.entries(this.resourceTags.get(asked.resource) ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v]);
        const q = tags.length ? { ...asked, context: { ...Object.fromEntries(tags), ...asked.context } } : asked;
        const verdict: Verdict = await this.authorizer.decide(session, q, identified.region);
        let { decision, reason } = verdict;
        if (decision === 'Allowed' && identified.service === 'sts' && (q.action === 'sts:AssumeRole' || q.action === 'sts:TagSession')) {
          // The target role's trust policy must let this session in as well.
          if (!(await this.authorizer.trusts(q.resource, session, q))) {
            decision = 'ImplicitlyDenied';
            reason = 'because the role trust policy does not allow it';
          }
        }
        if (decision !== 'Allowed') {
          return deny(deniedMessage(principal, q, reason ?? ''), { action: q.action, resource: q.resource, decision });
        }
        this.usedGrants.set(`${session.roleArn} ${q.action} ${q.resource}`, { roleArn: session.roleArn, action: q.action, resource: q.resource });
        this.log?.({
          at: new Date().toISOString(),
          principal,
          roleArn: session.roleArn,
          service: identified.service,
          operation: identified.operation,
          action: q.action,
          resource: q.resource,
          decision,
        });
      }
      return { outcome: { allowed: true, session }, identified };
    } finally {
      this.counters.decideMs += performance.now() - started;
    }
  }

  /** Learns from an answer: the session an AssumeRole created, the ARN AWS gave a new runtime. */
  async observe(identified: Identified | undefined, status: number, body: Buffer): Promise<void> {
    if (!identified || status < 200 || status > 299) return;
    if (identified.service === 'bedrock-agentcore-control' && (identified.operation === 'CreateAgentRuntime' || identified.operation === 'GetAgentRuntime')) {
      let answer: { agentRuntimeArn?: string; agentRuntimeName?: string };
      try {
        answer = JSON.parse(body.toString('utf8') || '{}') as typeof answer;
      } catch {
        return;
      }
      return this.learnRuntime(answer.agentRuntimeName ?? identified.params.agentRuntimeName, answer.agentRuntimeArn);
    }
    if (identified.service === 'cognito-idp' && identified.operation === 'CreateUserPool') return this.learnUserPoolTags(identified, body);
    if (identified.service !== 'sts' || identified.operation !== 'AssumeRole') return;
    const caller = identified.accessKeyId ? this.sessions.get(identified.accessKeyId) : undefined;
    const learnt = sessionFromAssumeRole(identified.params, body.toString('utf8'), caller);
    if (learnt) this.sessions.set(learnt.accessKeyId, learnt.session);
  }
}

/** Starts the proxy on an OS-chosen loopback port. */
export async function startIamProxy(opts: IamProxyOptions): Promise<IamProxy> {
  const logFile = opts.decisionLog;
  const enforcer = new Enforcer(
    opts.authorizer,
    logFile ? (r) => fs.appendFileSync(logFile, `${JSON.stringify(r)}\n`) : undefined,
    undefined,
    opts.environments,
  );
  const target = new URL(opts.target);
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.url?.startsWith('/_abca/iam/')) return controls(req.url, res, enforcer, body);
      const { outcome, identified } = await enforcer.check({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      if (!outcome.allowed) {
        const answer = accessDenied(outcome.identified, outcome.message);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
        return;
      }
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const data = Buffer.concat(chunks);
          // Learnt before the caller sees the answer: its next request is judged with it.
          void enforcer.observe(identified, up.statusCode ?? 0, data).then(
            () => {
              const headers = { ...up.headers };
              delete headers['transfer-encoding'];
              // A HEAD answer's content-length is the object's size (S3 HeadObject), not this empty body's.
              res.writeHead(up.statusCode ?? 502, req.method === 'HEAD' ? headers : { ...headers, 'content-length': data.length });
              res.end(data);
            },
            (e: unknown) => {
              res.writeHead(500, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ __type: 'InternalFailure', message: `ABCA IAM enforcement could not learn from the answer: ${String(e)}` }));
            },
          );
        });
      });
      upstream.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `the IAM proxy could not reach moto: ${e.message}` }));
      });
      upstream.end(body);
    })().catch((e: unknown) => {
      // An enforcement bug must be loud, never a silently unchecked request.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: `ABCA IAM enforcement crashed: ${String(e)}` }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    enforcer,
    sessions: enforcer.sessions,
    used: () => enforcer.used(),
    stats: () => ({ ...enforcer.counters }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Puts an Enforcer in front of a server's own listener (the local AgentCore data plane, which moto
 * does not serve): a refused request gets AWS's AccessDenied and never reaches `inner`; an allowed
 * one reaches it with its body intact.
 */
export function enforcedListener(enforcer: RequestCheck, inner: http.RequestListener): http.RequestListener {
  return (req, res) => {
    void (async () => {
      const body = await readBody(req);
      const { outcome } = await enforcer.check({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      if (!outcome.allowed) {
        const answer = accessDenied(outcome.identified, outcome.message);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
        return;
      }
      // The body was read to decide; the inner listener reads it again from a replay.
      const replay = Object.assign(Readable.from(body.length ? [body] : []), { method: req.method, url: req.url, headers: req.headers, socket: req.socket });
      inner(replay as unknown as http.IncomingMessage, res);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: `ABCA IAM enforcement crashed: ${String(e)}` }));
    });
  };
}

/** What an enforced server asks of its decision point (an Enforcer, here or in the proxy's process). */
export type RequestCheck = Pick<Enforcer, 'check'>;

/** The request as JSON, for the proxy's /_abca/iam/check control. */
interface WireRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * The proxy's Enforcer asked over loopback: another process's server (a test worker's data plane)
 * is judged by the same sessions, the same per-environment policies (learnt as bootstraps create
 * runtimes) and counts toward the same used grants.
 */
export function remoteEnforcer(endpoint: string): RequestCheck {
  return {
    async check(req: HttpRequest) {
      const wire: WireRequest = { method: req.method, url: req.url, headers: req.headers, body: Buffer.from(req.body).toString('base64') };
      const res = await fetch(`${endpoint}/_abca/iam/check`, { method: 'POST', body: JSON.stringify(wire) });
      if (!res.ok) throw new Error(`the IAM enforcement point at ${endpoint} answered HTTP ${res.status}: ${await res.text()}`);
      return (await res.json()) as { outcome: Outcome; identified?: Identified };
    },
  };
}

/** Sessions learnt by the enforcement proxy at `endpoint` (its /_abca/iam/sessions control). */
export function remoteSessions(endpoint: string): (accessKeyId: string) => Promise<Session | undefined> {
  return async (accessKeyId) => {
    const res = await fetch(`${endpoint}/_abca/iam/sessions`);
    if (!res.ok) return undefined;
    return ((await res.json()) as Record<string, Session>)[accessKeyId];
  };
}

function controls(url: string, res: http.ServerResponse, enforcer: Enforcer, body: Buffer): void {
  const send = (status: number, body: unknown) => {
    const data = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
    res.end(data);
  };
  // `bgagent doctor` asks the enforced policies what a role may do (as iam:SimulatePrincipalPolicy on AWS).
  if (url === '/_abca/iam/simulate') {
    const { roleArn } = JSON.parse(body.toString('utf8') || '{}') as { roleArn?: string };
    // The role's environment may not have been seen yet (no session of it so far).
    void enforcer
      .learnRole(roleArn)
      .then(() => simulate(enforcer.authorizer, body))
      .then(
        (answers) => send(200, answers),
        (e: unknown) => send(400, { message: String(e) }),
      );
    return;
  }
  if (url === '/_abca/iam/check') {
    const wire = JSON.parse(body.toString('utf8')) as WireRequest;
    void enforcer.check({ ...wire, body: Buffer.from(wire.body, 'base64') }).then(
      (decided) => send(200, decided),
      (e: unknown) => send(500, { message: String(e) }),
    );
    return;
  }
  // The bootstrap (standing for Terraform) declares the settings an environment's stack is deployed with.
  if (url === '/_abca/iam/stack-settings') {
    const { env, context } = JSON.parse(body.toString('utf8')) as { env: string; context: Record<string, unknown> };
    void enforcer.configure(env, context).then(
      (known) => send(known ? 200 : 404, known ? { env, context } : { message: 'this enforcement point does not compile environments' }),
      (e: unknown) => send(400, { message: String(e) }),
    );
    return;
  }
  if (url === '/_abca/iam/used') return send(200, enforcer.used());
  if (url === '/_abca/iam/stats') return send(200, enforcer.counters);
  if (url === '/_abca/iam/sessions') return send(200, Object.fromEntries(enforcer.sessions));
  send(404, { message: `unknown control ${url}` });
}

/** Decides `{roleArn, questions: [{action, resource, context}]}` for a session of the role, in order. */
export async function simulate(authorizer: Authorizer, body: Buffer): Promise<Verdict[]> {
  const { roleArn, questions } = JSON.parse(body.toString('utf8')) as { roleArn: string; questions: Question[] };
  const session: Session = { roleArn, sessionName: 'abca-doctor', tags: {} };
  const verdicts: Verdict[] = [];
  for (const q of questions) verdicts.push(await authorizer.decide(session, { action: q.action, resource: q.resource, context: q.context ?? {} }));
  return verdicts;
}
