/**
 * Client configuration of `bgagent`: where the API is and which Cognito pool to sign in to
 * (`config.json`, written by `bgagent configure`), and the signed-in session (`credentials.json`,
 * mode 0600, written by `bgagent login`). Both live in `$BGAGENT_CONFIG_DIR`, else `~/.bgagent/`.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { ValidationError } from '../errors';

export interface ClientConfig {
  env: string;
  region: string;
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
}

export interface Credentials {
  env: string;
  userPoolClientId: string;
  username: string;
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  /** ISO time the access token expires. */
  expiresAt: string;
}

/** Refresh when the access token has less than this left. */
export const REFRESH_MARGIN_MS = 60_000;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BGAGENT_CONFIG_DIR || path.join(homedir(), '.bgagent');
}

export const configPath = (dir = configDir()) => path.join(dir, 'config.json');
export const credentialsPath = (dir = configDir()) => path.join(dir, 'credentials.json');

function readJson(file: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError(`${file} is not valid JSON; fix or delete it`, 'CONFIG_INVALID');
  }
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Pure: a config document, or the reason it is unusable. */
export function parseClientConfig(json: unknown, source: string): ClientConfig {
  const c = json as Partial<ClientConfig> | null;
  const missing = (['env', 'region', 'apiUrl', 'userPoolId', 'userPoolClientId'] as const).filter((k) => !str(c?.[k]));
  if (!c || typeof c !== 'object' || missing.length) {
    throw new ValidationError(`${source} is missing ${missing.join(', ') || 'everything'}; run "bgagent configure --env <env>"`, 'CONFIG_INVALID');
  }
  return { env: c.env!, region: c.region!, apiUrl: c.apiUrl!, userPoolId: c.userPoolId!, userPoolClientId: c.userPoolClientId! };
}

export function readConfig(dir = configDir()): ClientConfig | undefined {
  const json = readJson(configPath(dir));
  return json === undefined ? undefined : parseClientConfig(json, configPath(dir));
}

export function readCredentials(dir = configDir()): Credentials | undefined {
  const json = readJson(credentialsPath(dir)) as Partial<Credentials> | undefined;
  if (!json || !str(json.accessToken) || !str(json.expiresAt) || !str(json.env)) return undefined;
  return json as Credentials;
}

/** Writes via a temporary file and rename, so a reader never sees half a document. */
function writePrivate(file: string, data: unknown, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode });
  chmodSync(tmp, mode); // the umask may have narrowed or an old file kept wider bits
  renameSync(tmp, file);
}

export function writeConfig(config: ClientConfig, dir = configDir()): string {
  const file = configPath(dir);
  writePrivate(file, config, 0o644);
  return file;
}

export function writeCredentials(creds: Credentials, dir = configDir()): string {
  const file = credentialsPath(dir);
  writePrivate(file, creds, 0o600);
  return file;
}

export function deleteCredentials(dir = configDir()): boolean {
  const file = credentialsPath(dir);
  try {
    rmSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Pure: does this session still belong to the configured pool, and is its token fresh enough? */
export function sessionState(
  creds: Credentials | undefined,
  config: Pick<ClientConfig, 'env' | 'userPoolClientId'>,
  now: number,
): 'none' | 'other-env' | 'fresh' | 'refresh' {
  if (!creds) return 'none';
  if (creds.env !== config.env || creds.userPoolClientId !== config.userPoolClientId) return 'other-env';
  const expires = Date.parse(creds.expiresAt);
  return Number.isFinite(expires) && expires - now > REFRESH_MARGIN_MS ? 'fresh' : 'refresh';
}
