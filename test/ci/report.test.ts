import { classify } from '../../src/ci/classify';
import { toGithubOutput, toJson, toSummary, toText } from '../../src/ci/report';

describe('classification reports', () => {
  it('writes one line per layer for $GITHUB_OUTPUT, with false for untouched layers', () => {
    // Act
    const out = toGithubOutput([]);
    // Assess
    expect(out).toBe('infra=false\nruntime=false\nlayers=[]\n');
  });

  it('refuses a multi-line extra output (it would inject more outputs)', () => {
    // Act + Assess
    expect(() => toGithubOutput(['infra'], { env: 'dev\ninfra=false' })).toThrow(/single line/);
  });

  it('prints exactly {"layers":[...]} unless asked to explain', () => {
    // Prepare
    const result = { ...classify(['stacks/main.ts']), source: 'paths' };
    // Act
    const plain = JSON.parse(toJson(result));
    const explained = JSON.parse(toJson(result, true));
    // Assess
    expect(plain).toEqual({ layers: ['infra'] });
    expect(explained).toMatchObject({ layers: ['infra'], source: 'paths', files: [{ path: 'stacks/main.ts', rule: 'stacks/**' }] });
  });

  it('says "nothing deploys" for a docs-only change and escapes table-breaking characters', () => {
    // Prepare
    const result = { ...classify(['docs/a|b.md']), source: 'x...y' };
    // Act
    const md = toSummary(result);
    // Assess
    expect(md).toContain('### Layers this change touches: none (nothing deploys)');
    expect(md).toContain('| `docs/a\\|b.md` | — | `**/*.md` documentation |');
  });

  it('caps the path table and says how many rows it left out', () => {
    // Prepare
    const paths = Array.from({ length: 12 }, (_, i) => `docs/${i}.md`);
    // Act
    const md = toSummary({ ...classify(paths), source: 's' }, 10);
    // Assess
    expect(md).toContain('12 changed path(s)');
    expect(md).toContain('| … 2 more | | |');
    expect(md).not.toContain('docs/11.md');
  });

  it('lists each path with its layers in the terminal report', () => {
    // Act
    const text = toText({ ...classify(['agent/Dockerfile', 'README.md']), source: 'paths' });
    // Assess
    expect(text.split('\n')[0]).toBe('layers: runtime');
    expect(text).toMatch(/agent\/Dockerfile\s+runtime\s+agent container image input/);
    expect(text).toMatch(/README\.md\s+-\s+documentation/);
  });
});
