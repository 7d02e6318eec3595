/** The optimistic-retry loop: retries only lost races, at most `attempts` tries, then the exhausted error. */
import { withOptimisticRetry } from '../../src/aws/optimistic-retry';

class Lost extends Error {}
const opts = (attempts: number) => ({ attempts, lost: (e: unknown) => e instanceof Lost, exhausted: () => new Error('gave up'), pauseMs: () => 0 });

describe('withOptimisticRetry', () => {
  it('tries again after a lost race and returns the first success', async () => {
    // Prepare
    const tries: number[] = [];
    // Act
    const result = await withOptimisticRetry(opts(5), async (n) => {
      tries.push(n);
      if (n < 3) throw new Lost();
      return 'written';
    });
    // Assess
    expect([result, tries]).toEqual(['written', [1, 2, 3]]);
  });

  it('throws the exhausted error after the last lost try, and never tries more', async () => {
    let tries = 0;
    await expect(withOptimisticRetry(opts(2), async () => (tries++, Promise.reject(new Lost())))).rejects.toThrow('gave up');
    expect(tries).toBe(2);
  });

  it('rethrows any other failure at once', async () => {
    let tries = 0;
    await expect(withOptimisticRetry(opts(5), async () => (tries++, Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(tries).toBe(1);
  });
});
