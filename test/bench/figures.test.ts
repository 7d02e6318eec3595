/** Reading the benches' figures: the BENCH-FIGURES line, bench/publish.ts's text report, and the one table. */
import { figuresFrom, FIGURES_PREFIX, publishFiguresFromText, renderTable } from '../../bench/figures';

const PUBLISH_REPORT = `publish bench: 2 publishes per row, poll interval 1000 ms, moto on loopback

UPDATING held   wall p50    overhead p50  overhead max    lag after READY max   overhead − lag max
     0 s         103 ms      103 ms        110 ms          0 ms              103 ms
     2 s        2952 ms      952 ms        990 ms       1200 ms             -210 ms

aim: overhead − lag < 1000 ms and lag ≤ one poll interval (1000 ms): NOT met

rollback bench: UPDATING held 3 s, endpoint move 1 s, poll interval 1000 ms, 2 runs per path
path                                    p50          max
fast (existing version, no update)    2072 ms     3221 ms
slow (version gone: forward)          5792 ms     5844 ms
aim: fast path ≤ one poll interval + 1 s + the endpoint move (3000 ms): NOT met
tsx scripts/publish-runtime.ts (process start included, UPDATING 0 s): p50   1500 ms, max   1800 ms
`;

describe('bench figures', () => {
  it('reads the machine-readable line among the human report', () => {
    const out = `some report\n${FIGURES_PREFIX}${JSON.stringify({ bench: 'synth', figures: [{ name: 'full synth', value: 6.6, unit: 's', aim: '< 10 s', ok: true }] })}\n`;
    expect(figuresFrom(out)).toEqual([{ bench: 'synth', figures: [{ name: 'full synth', value: 6.6, unit: 's', aim: '< 10 s', ok: true }] }]);
  });

  it("reads every figure of the publish bench's text report, with its aims judged", () => {
    // Act
    const figures = publishFiguresFromText(PUBLISH_REPORT);
    // Assess
    expect(figures).toHaveLength(16);
    expect(figures.find((f) => f.name === 'rollback fast path max')).toMatchObject({ value: 3221, ok: false });
    expect(figures.find((f) => f.name === 'rollback slow path (forward) p50')).toMatchObject({ value: 5792, unit: 'ms' });
    expect(figures.find((f) => f.name === 'UPDATING 2 s: lag after READY max')).toMatchObject({ value: 1200, ok: false });
    expect(figures.find((f) => f.name === 'UPDATING 2 s: overhead − lag max')).toMatchObject({ value: -210, ok: true });
    expect(figures.find((f) => f.name === 'publish-runtime.ts wall max')).toMatchObject({ value: 1800, unit: 'ms' });
  });

  it('prints one table with a row per figure, and a failed bench as a row of its own', () => {
    // Act
    const table = renderTable([
      { bench: 'synth', figures: [{ name: 'full synth', value: 6.63, unit: 's', aim: '< 10 s', ok: true }] },
      { bench: 'api', figures: [], error: 'exited 1' },
    ]);
    // Assess
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^synth\s+full synth\s+6\.63 s\s+< 10 s\s+ok$/);
    expect(lines[3]).toMatch(/^api\s+FAILED\s+exited 1/);
  });
});
