/**
 * The image without Docker: the Dockerfile's rules, the build context's self-containment, and the
 * compiled agent run the way the image runs it (tsc with agent/tsconfig.build.json, `node dist/main.js`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../support/run';

const AGENT = path.join(ROOT, 'agent');
const dockerfile = readFileSync(path.join(AGENT, 'Dockerfile'), 'utf8');

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

function stages(text: string): { op: string; args: string }[][] {
  const out: { op: string; args: string }[][] = [];
  for (const ins of instructions(text)) {
    if (ins.op === 'FROM') out.push([]);
    out[out.length - 1]?.push(ins);
  }
  return out;
}

describe('agent Dockerfile', () => {
  it('is multi-stage, every base image pinned by digest', () => {
    // Act
    const froms = instructions(dockerfile).filter((i) => i.op === 'FROM');
    // Assess
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:20[a-z0-9.-]*@sha256:[a-f0-9]{64} AS [a-z]+$/);
    expect(froms[froms.length - 1]!.args).toContain('-slim@sha256:');
  });

  it('runs the final stage as a non-root numeric user, on 8080, bound to all interfaces, with the commit baked in', () => {
    // Prepare
    const final = stages(dockerfile).pop()!;
    const arg = (op: string) => final.filter((i) => i.op === op).map((i) => i.args);
    // Act
    const user = arg('USER').pop();
    const env = arg('ENV').join(' ');
    // Assess
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(arg('EXPOSE')).toEqual(['8080']);
    expect(arg('ARG')).toContain('GIT_COMMIT=unknown');
    expect(env).toContain('GIT_COMMIT=${GIT_COMMIT}');
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toContain('PORT=8080');
    expect(arg('CMD')).toEqual(['["node", "dist/main.js"]']);
    // nothing but the compiled agent and its package.json comes over from the build stage
    expect(arg('COPY').every((c) => c.startsWith('--from=build '))).toBe(true);
    expect(arg('RUN')).toEqual([]);
  });

  it('builds from agent/ alone: sources import only each other and Node built-ins, the compiler is pinned in agent/package-lock.json', () => {
    // Prepare
    const src = path.join(AGENT, 'src');
    const files = readdirSync(src).filter((f) => f.endsWith('.ts'));
    const lock = JSON.parse(readFileSync(path.join(AGENT, 'package-lock.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(AGENT, 'package.json'), 'utf8'));
    // Act
    const imports = files.flatMap((f) => [...readFileSync(path.join(src, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => ({ file: f, spec: m[1]! })));
    const outside = imports.filter(({ spec }) => {
      if (spec.startsWith('node:')) return !builtinModules.includes(spec.slice(5));
      if (spec.startsWith('./')) return !files.includes(`${spec.slice(2)}.ts`);
      return true;
    });
    // Assess
    expect(imports.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(lock.packages['node_modules/typescript'].version).toBe(pkg.devDependencies.typescript);
    expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);
  });
});

describe('agent compiled as the image runs it', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    // The image's layout: /app/package.json and /app/dist/*.js
    dir = mkdtempSync(path.join(os.tmpdir(), 'abca-agent-'));
    copyFileSync(path.join(AGENT, 'package.json'), path.join(dir, 'package.json'));
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(AGENT, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')],
        (err, stdout) => (err ? reject(new Error(`tsc failed: ${stdout}`)) : resolve()),
      ),
    );
  });
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /ping and the version on PORT with plain node, and stops cleanly on SIGTERM', async () => {
    // Prepare
    child = spawn(process.execPath, ['dist/main.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: '0', GIT_COMMIT: 'feedbeef1234', IMAGE_DIGEST: `sha256:${'c'.repeat(64)}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await new Promise<{ url: string; host: string }>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('agent listening'));
        if (line) resolve(JSON.parse(line));
      });
      child!.once('exit', (code) => reject(new Error(`agent exited ${code}`)));
    });
    // Act
    const ping = (await (await fetch(`${started.url}/ping`)).json()) as { status: string };
    const version = await (await fetch(`${started.url}/version`)).json();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    // Assess
    expect(started.host).toBe('127.0.0.1');
    expect(ping.status).toBe('Healthy');
    expect(version).toEqual({
      version: JSON.parse(readFileSync(path.join(AGENT, 'package.json'), 'utf8')).version,
      commit: 'feedbeef1234',
      digest: `sha256:${'c'.repeat(64)}`,
    });
    expect(await exited).toBe(0);
  });
});
