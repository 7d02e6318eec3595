/** Per-suite access to this worker's moto server: reset before the suite starts. */
import { resetMoto } from '../../src/local/moto';

export function motoEndpoint(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('no moto endpoint: is test/support/global-setup.ts configured in jest.config.js?');
  return endpoint;
}

/**
 * This worker's moto itself, without the IAM enforcement point in front (the same state): what an
 * emulator that does not enforce IAM answers. The same as motoEndpoint() with ABCA_TEST_IAM=0.
 */
export function plainMotoEndpoint(): string {
  const plain = (process.env.ABCA_TEST_MOTO_PLAIN_ENDPOINTS ?? '').split(',').filter(Boolean);
  const enforced = (process.env.ABCA_TEST_MOTO_ENDPOINTS ?? '').split(',').filter(Boolean);
  const i = enforced.indexOf(motoEndpoint());
  return i >= 0 && plain[i] ? plain[i] : motoEndpoint();
}

/** Call at the top of a describe/file that uses AWS: resets moto in beforeAll. */
export function useMoto(): { endpoint: () => string; plainEndpoint: () => string } {
  beforeAll(async () => {
    await resetMoto(motoEndpoint());
  });
  return { endpoint: motoEndpoint, plainEndpoint: plainMotoEndpoint };
}
