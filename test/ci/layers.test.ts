/**
 * The layers hold on the real tree: imports go adapters → domains → base and never back up, and
 * no import cycle exists between files or between folders (rules: src/ci/import-graph.ts).
 */
import * as path from 'node:path';
import { buildGraph, cycles, layerOf, layerViolations, readTree, unitGraph, unitOf } from '../../src/ci/import-graph';

const ROOT = path.resolve(__dirname, '../..');

describe('the import graph of the tree', () => {
  const files = readTree(ROOT);
  const graph = buildGraph(files);

  it('reads the whole tree, imports resolved', () => {
    // Assess: the API app imports its routes, the publish script the runtime (the reader is not vacuous)
    expect(Object.keys(files).length).toBeGreaterThan(100);
    expect(graph.get('src/api/app.ts')).toContain('src/api/routes/repos.ts');
    expect([...graph.values()].flat().filter((d) => d.startsWith('src/runtime/')).length).toBeGreaterThan(5);
  });

  it('every file belongs to a layer, and no import goes up a layer', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    expect(cycles(unitGraph(graph))).toEqual([]);
  });
});

describe('the layer checks themselves', () => {
  it('find a domain importing an adapter, a base file importing a domain, and an unclaimed file', () => {
    // Prepare
    const graph = buildGraph({
      'src/tasks/a.ts': "import { x } from '../api/logging';",
      'src/api/logging.ts': 'export const x = 1;',
      'src/platform/g.ts': "import type { R } from '../repos/r';",
      'src/repos/r.ts': 'export type R = 1;',
      'src/stray.ts': '',
    });
    // Act
    const found = layerViolations(graph).map((v) => `${v.from} → ${v.to}`);
    // Assess
    expect(found.sort()).toEqual(['src/platform/g.ts → src/repos/r.ts', 'src/stray.ts → ', 'src/tasks/a.ts → src/api/logging.ts']);
  });

  it('find file and folder cycles, through type-only and dynamic imports too', () => {
    // Prepare
    const graph = buildGraph({
      'src/deploy/plan.ts': "import type { G } from './github';",
      'src/deploy/github.ts': "export type G = 1; const p = () => import('./plan');",
      'src/repos/a.ts': "import '../platform/b';",
      'src/platform/b.ts': "export * from '../repos/c';",
      'src/repos/c.ts': '',
    });
    // Act + Assess
    expect(cycles(graph)).toEqual([['src/deploy/github.ts', 'src/deploy/plan.ts']]);
    expect(cycles(unitGraph(graph))).toEqual([['src/platform', 'src/repos']]);
  });

  it('name units and layers by path', () => {
    expect(unitOf('src/runtime/publish/index.ts')).toBe('src/runtime');
    expect(unitOf('src/errors.ts')).toBe('src/errors.ts');
    expect(unitOf('stacks/constructs/api.ts')).toBe('stacks');
    expect(layerOf('src/aws/clients.ts')).toBe('base');
    expect(layerOf('src/handlers/api.ts')).toBe('adapter');
    expect(layerOf('src/nowhere.ts')).toBeUndefined();
  });
});
