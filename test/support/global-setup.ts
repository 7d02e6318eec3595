/**
 * One moto server per jest worker (suites inside a worker run one after another, so a reset
 * at the start of each suite cannot disturb another suite). Endpoints reach the workers through
 * the environment; pids are kept for global-teardown.
 *
 * With ABCA_TEST_IAM=1 the stack is synthesized once and every server sits behind the IAM
 * enforcement proxy (test/support/iam.ts); the admin credentials the tests set up with stay
 * unrestricted, as Terraform's are.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config } from '@jest/types';
import { compilePolicies, type CompiledPolicies } from '../../src/local/iam';
import { startMoto, type MotoServer } from '../../src/local/moto';

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
  let policies: CompiledPolicies | undefined;
  if (process.env.ABCA_TEST_IAM === '1') {
    // Loaded only here: synthesis pulls in the whole stack.
    const { synthInfraJson, testBundles } = await import('../infra/support');
    policies = compilePolicies(synthInfraJson(await testBundles(), { env: 'dev' }).json);
    const file = path.join(usedDir, 'policies.json');
    fs.writeFileSync(file, JSON.stringify(policies));
    process.env.ABCA_TEST_IAM_POLICIES = file;
  }
  const servers = testServers();
  servers.push(...(await Promise.all(Array.from({ length: count }, () => startMoto(policies ? { iam: { policies } } : {})))));
  process.env.ABCA_TEST_MOTO_ENDPOINTS = servers.map((s) => s.endpoint).join(',');
  process.env.ABCA_TEST_MOTO_PIDS = servers.map((s) => s.pid).join(',');
}
