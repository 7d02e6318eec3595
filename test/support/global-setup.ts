/**
 * One moto server per jest worker (suites inside a worker run one after another, so a reset
 * at the start of each suite cannot disturb another suite). Endpoints reach the workers through
 * the environment; pids are kept for global-teardown.
 */
import type { Config } from '@jest/types';
import { startMoto } from '../../src/local/moto';

export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const count = Math.max(1, globalConfig.maxWorkers || 1);
  const servers = await Promise.all(Array.from({ length: count }, () => startMoto()));
  process.env.ABCA_TEST_MOTO_ENDPOINTS = servers.map((s) => s.endpoint).join(',');
  process.env.ABCA_TEST_MOTO_PIDS = servers.map((s) => s.pid).join(',');
}
