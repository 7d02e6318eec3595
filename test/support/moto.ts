/** Per-suite access to this worker's moto server: reset before the suite starts. */
import { resetMoto } from '../../src/local/moto';

export function motoEndpoint(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('no moto endpoint: is test/support/global-setup.ts configured in jest.config.js?');
  return endpoint;
}

/** Call at the top of a describe/file that uses AWS: resets moto in beforeAll. */
export function useMoto(): { endpoint: () => string } {
  beforeAll(async () => {
    await resetMoto(motoEndpoint());
  });
  return { endpoint: motoEndpoint };
}
