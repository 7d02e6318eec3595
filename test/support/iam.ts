/**
 * IAM enforcement in the test bed (docs/local-mode.md, "IAM enforcement"). With ABCA_TEST_IAM=1,
 * global-setup synthesizes the stack once and starts every worker's moto behind the enforcement
 * proxy; the workers' data planes get an Enforcer too, and global-teardown writes the unused-grants
 * report. Tests that start their own enforcement point (they need the bootstrap's real runtime ARN
 * in the policies) hand their used grants to the report with recordUsedGrants.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Authorizer, Enforcer, readPolicies, remoteSessions, type UsedGrant } from '../../src/local/iam';

/** Adds grants this worker's own enforcement points saw to the suite's unused-grants report. */
export function recordUsedGrants(used: UsedGrant[]): void {
  const dir = process.env.ABCA_TEST_IAM_USED_DIR;
  if (!dir || used.length === 0) return;
  fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), used.map((u) => `${JSON.stringify(u)}\n`).join(''));
}

/** The Enforcer for a worker's data plane when the suite runs with IAM enforced, else undefined. */
export async function workerEnforcer(motoEndpoint: string): Promise<Enforcer | undefined> {
  const file = process.env.ABCA_TEST_IAM_POLICIES;
  if (!file) return undefined;
  return new Enforcer(await Authorizer.create(readPolicies(file)), undefined, remoteSessions(motoEndpoint));
}
