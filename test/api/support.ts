/**
 * One bootstrapped platform and one API server per test file, on this worker's moto: an admin and
 * an operator user with Cognito access tokens, and a small HTTP client that speaks to the server
 * over real HTTP.
 */
import { InitiateAuthCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { LineLogger } from '../../src/platform/logging';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { ensureLocalUser } from '../../src/local/admin-user';
import { bootstrapLocal } from '../../src/local/bootstrap';
import { clientsAs } from '../support/iam';
import { DEFAULT_GUARDRAILS, type Guardrails } from '../../src/platform/guardrails';
import type { PlatformConfig } from '../../src/platform/platform-config';
import { useMoto } from '../support/moto';

export const MODEL = DEFAULT_GUARDRAILS.allowed_models[0]!;

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string;
  apiKey?: string;
  body?: unknown;
  /** Sent as is (for malformed bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface Harness {
  env: string;
  api: ApiServer;
  platform: PlatformConfig;
  clients: AwsClients;
  /** The clients the API itself sends with (its stack role): where a test injects a fault into the API's requests. */
  apiClients: AwsClients;
  /** The in-process provisioner's clients (its stack role). */
  provisionerClients: AwsClients;
  adminToken: string;
  operatorToken: string;
  /** Every JSON log line the server wrote. */
  logs: string[];
  call<T = Record<string, unknown>>(method: string, path: string, opts?: CallOptions): Promise<Reply<T>>;
  setGuardrails(g: Partial<Guardrails>): Promise<void>;
}

export async function accessToken(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  user: { username: string; password: string },
  kind: 'access' | 'id' = 'access',
): Promise<string> {
  const out = await cognito.send(
    new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: user.username, PASSWORD: user.password } }),
  );
  return (kind === 'access' ? out.AuthenticationResult?.AccessToken : out.AuthenticationResult?.IdToken)!;
}

export async function call<T>(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: tests that care look at `text`.
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Registers beforeAll/afterAll for the file; the returned function gives the harness inside tests. */
export function useApi(opts: { env?: string; guardrails?: Partial<Guardrails>; provision?: boolean } = {}): () => Harness {
  useMoto();
  const env = opts.env ?? 'apitest';
  let harness: Harness | undefined;
  beforeAll(async () => {
    const clients = createClients();
    const { platform } = await bootstrapLocal({ env, clients });
    const setGuardrails = async (g: Partial<Guardrails>) => {
      await clients.ssm.send(
        new PutParameterCommand({
          Name: platform.guardrailsParameter,
          Type: 'String',
          Overwrite: true,
          Value: JSON.stringify({ ...DEFAULT_GUARDRAILS, ...g }),
        }),
      );
    };
    if (opts.guardrails) await setGuardrails(opts.guardrails);
    const logs: string[] = [];
    // Guardrails are read on every request here (cache 0), so a test's change applies at once.
    // The API and its in-process provisioner act as their stack roles; the harness's seeding stays admin.
    const apiClients = await clientsAs(env, 'api');
    const provisionerClients = await clientsAs(env, 'provisioner');
    const api = await startApiServer({
      env,
      port: 0,
      clients: apiClients,
      provisionerClients,
      // Task starts run as the reconciler function's role, as the API's dispatch does on AWS.
      taskRunnerClients: await clientsAs(env, 'reconciler'),
      guardrailsCacheMs: 0,
      provision: opts.provision,
      log: new LineLogger((l) => logs.push(l), { serviceName: 'abca-api', logLevel: 'DEBUG' }),
    });
    const admin = await ensureLocalUser(clients.cognito, platform.userPoolId, 'alice', 'admin');
    const operator = await ensureLocalUser(clients.cognito, platform.userPoolId, 'oscar', 'operator');
    harness = {
      env,
      api,
      platform,
      clients,
      apiClients,
      provisionerClients,
      adminToken: await accessToken(clients.cognito, platform.userPoolClientId, admin),
      operatorToken: await accessToken(clients.cognito, platform.userPoolClientId, operator),
      logs,
      call: (method, path, o) => call(api.url, method, path, o),
      setGuardrails,
    };
  });
  afterAll(async () => {
    await harness?.api.close();
  });
  return () => {
    if (!harness) throw new Error('harness not ready: useApi() must be called at the top of the file');
    return harness;
  };
}

/** Polls a repository until the provisioner has settled it. */
export async function settled(h: Harness, repo: string): Promise<Record<string, unknown>> {
  await h.api.idle();
  const res = await h.call('GET', `/v1/repos/${repo}`, { token: h.adminToken });
  return res.body;
}
