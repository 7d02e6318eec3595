/** What every Lambda entry point starts from, set up once per container. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { createClients, type AwsClients } from '../aws/clients';
import { componentLogger, type Component } from '../platform/logging';
import { resolveEnv } from '../platform/names';
import { loadPlatformConfig, type PlatformConfig } from '../platform/platform-config';

/** What every Lambda starts from: its environment, clients, its own logger and the platform document. */
export interface LambdaContext {
  env: string;
  clients: AwsClients;
  log: Logger;
  platform: PlatformConfig;
}

export async function lambdaContext(component: Component): Promise<LambdaContext> {
  const env = resolveEnv();
  const clients = createClients();
  const log = componentLogger(component);
  const platform = await loadPlatformConfig(clients.ssm, env);
  return { env, clients, log, platform };
}

/**
 * Set up once per Lambda container, at the first invocation rather than at import (cold init stays
 * small); a failed set-up is tried again on the next invocation.
 */
export function onFirstUse<T>(setUp: () => Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () =>
    (ready ??= setUp().catch((e) => {
      ready = undefined;
      throw e;
    }));
}
