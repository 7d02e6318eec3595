/**
 * The Lambda bundler: every handler bundles (placeholders included) to a self-contained
 * index.js + source map, AWS SDK v3 stays external (the Lambda runtime ships it), and a handler
 * that uses cedar-wasm runs from its bundle folder alone (the .wasm is copied next to it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleHandlers, HANDLER_NAMES, HANDLERS, type BundleResult } from '../../src/build/handlers';

let outDir: string;
let results: BundleResult[];

beforeAll(async () => {
  // Inside the repository so the external @aws-sdk/* resolves, as the Lambda runtime provides it.
  const cache = path.join(__dirname, '../../node_modules/.cache');
  fs.mkdirSync(cache, { recursive: true });
  outDir = fs.mkdtempSync(path.join(cache, 'abca-bundle-test-'));
  results = await bundleHandlers({
    outDir,
    extra: {
      cedarFixture: { entry: 'test/infra/fixtures/cedar-handler.ts', dir: 'cedar-fixture' },
      sdkFixture: { entry: 'test/infra/fixtures/sdk-handler.ts', dir: 'sdk-fixture' },
    },
  });
});

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

const byName = (name: string) => results.find((r) => r.name === name)!;

it('bundles every handler into <dir>/index.js with a linked source map, each exporting handler', () => {
  for (const name of HANDLER_NAMES) {
    // Act
    const r = byName(name);
    const code = fs.readFileSync(path.join(r.outDir, 'index.js'), 'utf8');
    // Assess
    expect(r.outDir).toBe(path.join(outDir, HANDLERS[name].dir));
    expect(fs.existsSync(path.join(r.outDir, 'index.js.map'))).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(typeof require(path.join(r.outDir, 'index.js')).handler).toBe('function');
  }
});

it('keeps AWS SDK v3 out of the bundle', () => {
  // Act
  const code = fs.readFileSync(path.join(byName('sdkFixture').outDir, 'index.js'), 'utf8');
  // Assess
  expect(code).toContain('require("@aws-sdk/client-ssm")');
  expect(code.length).toBeLessThan(5_000);
});

it('runs a cedar-wasm handler from its bundle folder alone, the .wasm copied beside it', async () => {
  // Prepare: a copy far from node_modules, so nothing can resolve from the repository
  const r = byName('cedarFixture');
  const isolated = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-isolated-'));
  fs.cpSync(r.outDir, isolated, { recursive: true });
  // Act
  const { handler } = require(path.join(isolated, 'index.js'));
  const ok = await handler({ policies: 'permit(principal, action, resource);' });
  const bad = await handler({ policies: 'permit(principal' });
  // A policy that overflows the engine (bounds lifted), then a valid one: a new engine, no error.
  const poison = await handler({
    policies: `permit(principal, action, resource) when { ${'('.repeat(1000)}true${')'.repeat(1000)} };`,
    limits: { maxBytes: 1e6, maxNesting: 1e6 },
  });
  const after = await handler({ policies: 'permit(principal, action, resource);' });
  // Assess
  expect(r.companions).toEqual(['cedar_wasm_bg.wasm', 'cedar_wasm.js']);
  expect(fs.readdirSync(isolated).sort()).toEqual(['cedar_wasm.js', 'cedar_wasm_bg.wasm', 'index.js', 'index.js.map']);
  expect(ok.errors).toEqual([]);
  expect(bad.errors.length).toBeGreaterThan(0);
  expect(poison.errors[0]).toContain('the Cedar engine could not check this policy');
  expect(after).toEqual({ errors: [], builds: poison.builds + 1 });
  fs.rmSync(isolated, { recursive: true, force: true });
});

it('produces identical output for identical input (stable asset hashes, no spurious Lambda updates)', async () => {
  // Prepare
  const again = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-bundle-again-'));
  // Act
  await bundleHandlers({ outDir: again, only: ['api'] });
  // Assess
  expect(fs.readFileSync(path.join(again, 'api', 'index.js'))).toEqual(fs.readFileSync(path.join(byName('api').outDir, 'index.js')));
  fs.rmSync(again, { recursive: true, force: true });
});
