import { stopPid } from '../../src/local/moto';

export default async function globalTeardown(): Promise<void> {
  const pids = (process.env.ABCA_TEST_MOTO_PIDS ?? '').split(',').filter(Boolean).map(Number);
  await Promise.all(pids.map((pid) => stopPid(pid)));
}
