/**
 * What every bench against the local emulator starts with: moto on loopback, and the standard AWS
 * environment pointed at it (the same variables production code reads), with bench credentials.
 */
import { startMoto, type MotoServer } from '../src/local/moto';

export async function startBenchEmulator(): Promise<MotoServer> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const moto = await startMoto();
  Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
  delete process.env.AWS_PROFILE;
  return moto;
}

/** Milliseconds, right-aligned for the benches' text tables. */
export const fmtMs = (ms: number): string => `${ms.toFixed(0).padStart(6)} ms`;
