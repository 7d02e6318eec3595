/** Output: tables, fields, --json on stdout and progress on stderr, --help on every command. */
import { buildProgram } from '../../src/cli/main';
import { cell, Output, renderFields, renderTable } from '../../src/cli/output';

describe('rendering', () => {
  it('tables align columns, show "-" for nothing, join lists and cut long cells', () => {
    // Act
    const text = renderTable(
      [
        { a: 'x', b: ['p', 'q'] },
        { a: 'longer', b: undefined },
        { a: 'z'.repeat(10), b: [] },
      ],
      [
        { header: 'A', value: (r) => r.a, max: 8 },
        { header: 'BEE', value: (r) => r.b },
      ],
    );
    // Assess
    expect(text.split('\n')).toEqual(['A         BEE', 'x         p,q', 'longer    -', 'zzzzzzz…  -']);
    expect(renderTable([], [{ header: 'A', value: () => 1 }])).toBe('(none)');
  });

  it('cells flatten whitespace and objects; fields align keys and leave undefined out', () => {
    // Act / Assess
    expect(cell('a\n b')).toBe('a b');
    expect(cell({ k: 1 })).toBe('{"k":1}');
    expect(
      renderFields([
        ['a', 1],
        ['long', 'x'],
        ['skip', undefined],
      ]),
    ).toBe('a     1\nlong  x');
    expect(
      renderFields([
        ['k', 1],
        ['doc', '{\n  "a": 1\n}\n'],
      ]),
    ).toBe('k    1\ndoc\n    {\n      "a": 1\n    }');
  });

  it('--json writes one document to stdout; progress and warnings go to stderr, one line per change when not a TTY', () => {
    // Prepare
    let stdout = '';
    let stderr = '';
    const out = new Output(true, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s), isTTY: false });
    // Act
    const p = out.progress('acme/w: provisioning');
    p.update('acme/w: provisioning', '(1 s)');
    p.update('acme/w: provisioning', '(2 s)');
    p.update('acme/w: active', '(3 s)');
    p.stop();
    out.warn('careful');
    out.result({ a: 1 }, () => 'human');
    // Assess
    expect(JSON.parse(stdout)).toEqual({ a: 1 });
    expect(stderr).toBe('… acme/w: provisioning\n… acme/w: active\nwarning: careful\n');
  });

  it('every command has --help with an example and --json', () => {
    // Prepare
    const leaves: { name: string; help: string; options: string[] }[] = [];
    const walk = (cmd: ReturnType<typeof buildProgram>, prefix: string) => {
      for (const sub of cmd.commands) {
        const name = `${prefix} ${sub.name()}`.trim();
        if (sub.commands.length) walk(sub, name);
        else {
          let help = '';
          sub.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
          sub.outputHelp();
          leaves.push({ name, help, options: sub.options.map((o) => o.long ?? '') });
        }
      }
    };
    // Act
    walk(buildProgram(), '');
    // Assess
    expect(leaves.map((l) => l.name).sort()).toEqual(
      [
        'admin user invite',
        'admin user list',
        'admin user remove',
        'admin user reset-password',
        'api-key create',
        'api-key list',
        'api-key revoke',
        'configure',
        'doctor',
        'guardrails edit',
        'guardrails set',
        'guardrails show',
        'login',
        'logout',
        'promotion-policy edit',
        'promotion-policy set',
        'promotion-policy show',
        'release-policy edit',
        'release-policy set',
        'release-policy show',
        'repo diff',
        'repo history',
        'repo import',
        'repo list',
        'repo revert',
        'repo onboard',
        'repo remove',
        'repo set-token',
        'repo show',
        'repo update',
        'runtime bake',
        'runtime history',
        'runtime promote',
        'runtime publish',
        'runtime reapply',
        'runtime rollback',
        'runtime status',
        'submit',
        'task cancel',
        'task list',
        'task status',
        'task watch',
        'whoami',
      ].sort(),
    );
    for (const leaf of leaves) {
      expect([leaf.name, /Examples?:\n {2}\$ .*bgagent /.test(leaf.help)]).toEqual([leaf.name, true]);
      expect([leaf.name, leaf.options.includes('--json')]).toEqual([leaf.name, true]);
    }
  });
});
