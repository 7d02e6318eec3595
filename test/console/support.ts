/**
 * The console's browser tests' world: `npm run dev` as a child process on free ports (as a
 * participant runs it), and Debian's Chromium driven by playwright-core, headless, off the network,
 * with a fresh profile. Everything started here is stopped by `stop()`: the dev process group (it
 * stops its moto, data plane and agents on SIGTERM), then Chromium, then the temporary folders.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ABCA_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = path.resolve(__dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'docs', 'console');

export interface DevStack {
  apiUrl: string;
  consoleUrl: string;
  stateDir: string;
  env: Record<string, string>;
  admin: { username: string; password: string };
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `npm run dev -- --port 0` and waits for "ready" (generous: the machine is shared). */
export async function startDev(opts: { agentStepMs?: number; timeoutMs?: number } = {}): Promise<DevStack> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-console-dev-'));
  const env = { ...process.env };
  // The stack starts its own moto: nothing of the test worker's may leak into it.
  for (const k of Object.keys(env)) if (k.startsWith('AWS_ENDPOINT_URL') || k === 'ABCA_TEST_IAM') delete env[k];
  const child: ChildProcess = spawn('npm', ['run', 'dev', '--', '--port', '0', '--state-dir', stateDir, '--agent-step-ms', String(opts.agentStepMs ?? 300)], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 20_000)))]);
    clearTimeout(timer);
    if (!killed) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 240_000);
  while (!/ready — Ctrl-C to stop/.test(out)) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm run dev was not ready in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const apiUrl = /API on (http:\/\/\S+)/.exec(out)![1]!;
  const consoleLine = /Console: (http:\/\/\S+)/.exec(out);
  const admin = JSON.parse(fs.readFileSync(path.join(stateDir, 'admin.json'), 'utf8')) as { username: string; password: string };
  const envFile = fs.readFileSync(path.join(stateDir, 'env.sh'), 'utf8');
  const vars = Object.fromEntries([...envFile.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.replace(/^'(.*)'$/, '$1')]));
  return { apiUrl, consoleUrl: consoleLine ? consoleLine[1]! : `${apiUrl}/console/`, stateDir, env: vars, admin, output: () => out, stop };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Chromium with a fresh profile; the page's console errors are collected for the test to check. */
export async function openBrowser(): Promise<Browser & { errors: string[] }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1366, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function signInAs(page: Page, consoleUrl: string, user: { username: string; password: string }): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel('User name').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor({ timeout: 30_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
