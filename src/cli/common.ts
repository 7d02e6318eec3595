/** Pieces every `bgagent` command shares: help examples, the API connection, stdin, waiting. */
import type { Command } from 'commander';
import { OperationFailedError, ValidationError } from '../errors';
import { ApiClient } from './api-client';
import { resolveAuth, type AuthHeaders } from './auth';
import { configDir, readConfig, type ClientConfig } from './config';
import { Output } from './output';

export const API_URL_ENV = 'ABCA_API_URL';

/** `--help` ends with examples (every command has at least one). */
export function examples(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

export interface JsonOpts {
  json?: boolean;
}
export interface ApiOpts extends JsonOpts {
  apiUrl?: string;
  apiKey?: string;
}

export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print one JSON document on stdout');
}

/** Options of every command that talks to the API. */
export function withApi(cmd: Command): Command {
  return withJson(cmd)
    .option('--api-url <url>', `API base URL (default: $${API_URL_ENV}, else the configured one)`)
    .option('--api-key <key>', 'authenticate with an API key instead of the login session (prefer $BGAGENT_API_KEY)');
}

export const output = (opts: JsonOpts) => new Output(!!opts.json);

/** Pure: where the API is — the flag, the environment, then the configured URL. */
export function resolveApiUrl(flag: string | undefined, env: NodeJS.ProcessEnv, config: ClientConfig | undefined): string {
  const url = flag || env[API_URL_ENV] || config?.apiUrl;
  if (!url) throw new ValidationError('no API URL: run "bgagent configure --env <env>" (or set ABCA_API_URL)', 'NOT_CONFIGURED');
  if (!/^https?:\/\//.test(url)) throw new ValidationError(`API URL "${url}" must start with http:// or https://`, 'VALIDATION_ERROR');
  return url;
}

export interface Api {
  client: ApiClient;
  auth: AuthHeaders;
  config?: ClientConfig;
}

export function openApi(opts: ApiOpts): Api {
  const dir = configDir();
  const config = readConfig(dir);
  const baseUrl = resolveApiUrl(opts.apiUrl, process.env, config);
  const auth = resolveAuth({ apiKey: opts.apiKey, config, configDir: dir });
  return { client: new ApiClient({ baseUrl, auth: auth.headers, reauth: auth.reauth }), auth, config };
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Strips exactly one trailing newline (what `echo` and files add), nothing else. */
export const chompLine = (s: string) => s.replace(/\r?\n$/, '');

/** Reads a secret without echoing it (TTY only). */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new ValidationError('no terminal to prompt on: pipe the secret on stdin instead', 'VALIDATION_ERROR'));
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let buf = '';
    const finish = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          finish();
          resolve(buf);
          return;
        }
        if (c === '\u0003') {
          finish();
          reject(new ValidationError('cancelled', 'CANCELLED'));
          return;
        }
        buf = c === '\u007f' || c === '\b' ? buf.slice(0, -1) : buf + c;
      }
    };
    stdin.on('data', onData);
  });
}

export function positiveNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${flag} must be a positive number, got "${raw}"`, 'VALIDATION_ERROR');
  return n;
}

export type Verdict<T> = { done: false; text: string } | { done: true; value: T } | { done: true; error: Error };

/**
 * Polls `read` until `judge` says done, showing its text as progress (spinner on a TTY). Fails
 * with WAIT_TIMEOUT (exit 1) after `timeoutMs`.
 */
export async function waitFor<R, T>(opts: {
  out: Output;
  start: string;
  read: () => Promise<R>;
  judge: (r: R) => Verdict<T>;
  timeoutMs: number;
  intervalMs: number;
  what: string;
  sleep?: (ms: number) => Promise<void>;
}): Promise<T> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const progress = opts.out.progress(opts.start);
  const started = Date.now();
  try {
    for (;;) {
      const verdict = opts.judge(await opts.read());
      if (verdict.done) {
        if ('error' in verdict) throw verdict.error;
        return verdict.value;
      }
      progress.update(verdict.text, `(${Math.round((Date.now() - started) / 1000)} s)`);
      if (Date.now() - started >= opts.timeoutMs) {
        throw new OperationFailedError(`gave up waiting for ${opts.what} after ${Math.round(opts.timeoutMs / 1000)} s (${verdict.text})`, 'WAIT_TIMEOUT');
      }
      await sleep(opts.intervalMs);
    }
  } finally {
    progress.stop();
  }
}
