/**
 * IAM enforcement in the test bed (docs/local-mode.md, "IAM enforcement"). On unless
 * ABCA_TEST_IAM=0: global-setup starts every worker's moto behind the enforcement proxy (policies
 * per environment, learnt as tests assume roles and bootstrap runtimes); the workers' data planes
 * ask the same proxy, and global-teardown writes the unused-grants report. Tests that start their own enforcement point (they need the bootstrap's real runtime ARN
 * in the policies) hand their used grants to the report with recordUsedGrants.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createClients, type AwsClients, type ClientOptions } from '../../src/aws/clients';
import {
  componentSession,
  credentialEnv,
  remoteEnforcer,
  type Component,
  type RequestCheck,
  type SessionCredentials,
  type UsedGrant,
} from '../../src/local/iam';
import { motoEndpoint } from './moto';

/** Adds grants this worker's own enforcement points saw to the suite's unused-grants report. */
export function recordUsedGrants(used: UsedGrant[]): void {
  const dir = process.env.ABCA_TEST_IAM_USED_DIR;
  if (!dir || used.length === 0) return;
  fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), used.map((u) => `${JSON.stringify(u)}\n`).join(''));
}

/**
 * The decision point for a worker's data plane when the suite runs with IAM enforced (the default),
 * else undefined: the worker's moto proxy, asked remotely, so the data plane is judged by the same
 * sessions and per-environment policies, and its grants count in the same report.
 */
export function workerEnforcer(motoEndpoint: string): RequestCheck | undefined {
  return process.env.ABCA_TEST_IAM_POLICIES ? remoteEnforcer(motoEndpoint) : undefined;
}

const ADMIN = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * A component's session of its role in `env` (what Lambda, AgentCore or CI's OIDC step gives it on
 * AWS), assumed with the tests' admin credentials through this worker's enforcement point.
 */
export function roleSession(env: string, component: Component): Promise<SessionCredentials> {
  return componentSession(motoEndpoint(), env, component, { credentials: ADMIN });
}

/** Clients acting as a component's role (in-process components: the runtime verbs, the API, ...). */
export async function clientsAs(env: string, component: Component, opts: ClientOptions = {}): Promise<AwsClients> {
  return createClients({ ...opts, credentials: await roleSession(env, component) });
}

/** The standard chain's variables of a component's session, for a child process (scripts, the CLI). */
export async function envAs(env: string, component: Component): Promise<Record<string, string>> {
  return credentialEnv(await roleSession(env, component));
}
