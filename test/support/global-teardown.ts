/**
 * Stops the workers' moto servers. With IAM enforced (the default), first gathers the grants every enforcement
 * point saw used (the proxies' /_abca/iam/used, and what tests recorded) and writes the
 * unused-grants report: test-results/iam-unused-grants.txt, summarized on stdout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '@jest/types';
import { envOfRoleArn, formatUnusedGrants, ontoEnv, readPolicies, unusedGrants, type UsedGrant } from '../../src/local/iam';
import { stopPid } from '../../src/local/moto';
import { reasonFor } from '../infra/iam-unused-grants';
import { REPORT_ENV, testServers } from './global-setup';

export default async function globalTeardown(globalConfig: Config.GlobalConfig): Promise<void> {
  const policiesFile = process.env.ABCA_TEST_IAM_POLICIES;
  const usedDir = process.env.ABCA_TEST_IAM_USED_DIR;
  const servers = testServers();
  if (policiesFile && usedDir) {
    const used: UsedGrant[] = servers.flatMap((s) => s.iam?.used() ?? []);
    for (const f of fs.readdirSync(usedDir).filter((n) => n.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(usedDir, f), 'utf8').split('\n').filter(Boolean)) used.push(JSON.parse(line) as UsedGrant);
    }
    // Every environment's grants, named as in the report's environment.
    const named = used.map((u) => ontoEnv(u, envOfRoleArn(u.roleArn) ?? REPORT_ENV, REPORT_ENV));
    const unused = unusedGrants(readPolicies(policiesFile), named);
    const out = path.join(globalConfig.rootDir, 'test-results', 'iam-unused-grants.txt');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${formatUnusedGrants(unused)}\n`);
    const unexplained = unused.filter((u) => !reasonFor(u.role, u.policy, u.statement));
    process.stdout.write(
      `\nIAM: ${used.length} grant(s) used, ${unused.length} unused (${unexplained.length} without a reason in test/infra/iam-unused-grants.ts); report in ${path.relative(process.cwd(), out)}\n`,
    );
    // Only a whole run uses every grant it can: a partial run's unused grants prove nothing. The
    // reasons table is not complete yet (docs/local-mode.md), so failing on it is opt-in for now.
    if (process.env.ABCA_IAM_UNUSED_STRICT === '1' && wholeRun(globalConfig) && unexplained.length) {
      await stopAll(servers, usedDir);
      throw new Error(
        `IAM: grants the suite never used and no row of test/infra/iam-unused-grants.ts explains; drop each from the stack or add its reason:\n${formatUnusedGrants(unexplained)}`,
      );
    }
  }
  await stopAll(servers, usedDir);
}

async function stopAll(servers: ReturnType<typeof testServers>, usedDir: string | undefined): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
  const pids = (process.env.ABCA_TEST_MOTO_PIDS ?? '').split(',').filter(Boolean).map(Number);
  await Promise.all(pids.map((pid) => stopPid(pid)));
  if (usedDir) fs.rmSync(usedDir, { recursive: true, force: true });
}

/** `npm test` with no file, name or changed-files filter. */
function wholeRun(c: Config.GlobalConfig): boolean {
  return (
    c.testPathPatterns.patterns.length === 0 &&
    !c.testNamePattern &&
    c.nonFlagArgs.length === 0 &&
    !c.onlyChanged &&
    !c.findRelatedTests &&
    !c.lastCommit &&
    !c.onlyFailures
  );
}
