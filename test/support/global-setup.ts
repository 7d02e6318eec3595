/**
 * One moto server per jest worker (suites inside a worker run one after another, so a reset
 * at the start of each suite cannot disturb another suite). Endpoints reach the workers through
 * the environment; pids are kept for global-teardown.
 *
 * IAM is enforced (docs/local-mode.md, "IAM enforcement"): every server sits behind the enforcement
 * proxy, which compiles each environment's policies from its own synthesized stack the first time
 * one of its roles is assumed (and again when its bootstrap creates the runtime). The admin
 * credentials the tests set up with stay unrestricted, as Terraform's are. ABCA_TEST_IAM=0 turns
 * enforcement off, for debugging only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config } from '@jest/types';
import { compilePolicies } from '../../src/local/iam';
import { startMoto, type IamOptions, type MotoServer } from '../../src/local/moto';

/**
 * The servers, for global-teardown: same process, but jest may load each file in its own module
 * registry, so they go on globalThis rather than in a module variable.
 */
export function testServers(): MotoServer[] {
  const g = globalThis as { __abcaTestServers?: MotoServer[] };
  return (g.__abcaTestServers ??= []);
}

export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const count = Math.max(1, globalConfig.maxWorkers || 1);
  const usedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-iam-used-'));
  process.env.ABCA_TEST_IAM_USED_DIR = usedDir;
  const iam = process.env.ABCA_TEST_IAM === '0' ? undefined : await enforcement(usedDir);
  const servers = testServers();
  servers.push(...(await Promise.all(Array.from({ length: count }, () => startMoto(iam ? { iam } : {})))));
  process.env.ABCA_TEST_MOTO_ENDPOINTS = servers.map((s) => s.endpoint).join(',');
  // moto itself, behind no enforcement point: for a test about an emulator that does not enforce IAM.
  process.env.ABCA_TEST_MOTO_PLAIN_ENDPOINTS = servers.map((s) => s.motoEndpoint).join(',');
  process.env.ABCA_TEST_MOTO_PIDS = servers.map((s) => s.pid).join(',');
}

/**
 * The stack per environment (synthesized once each, src/local/iam/stack.ts, with the test suites'
 * repository), and the report environment's policies for the unused-grants report (global-teardown).
 */
async function enforcement(usedDir: string): Promise<IamOptions> {
  // Loaded only here: synthesis pulls in the whole stack.
  const { cachedStacks } = await import('../../src/local/iam/stack');
  const { TEST_REPOSITORY } = await import('../infra/support');
  const stack = cachedStacks({ githubRepository: TEST_REPOSITORY });
  const file = path.join(usedDir, 'policies.json');
  fs.writeFileSync(file, JSON.stringify(compilePolicies(stack(REPORT_ENV))));
  process.env.ABCA_TEST_IAM_POLICIES = file;
  return { stack };
}

/** The environment the unused-grants report names grants in (grants used in others are mapped onto it). */
export const REPORT_ENV = 'dev';
