/** mise.toml: each task calls the npm script of the same name, which exists. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The `[tasks.<name>]` tables and their `run` strings (the subset of TOML that mise.toml uses). */
function miseTasks(text: string): Record<string, string | undefined> {
  const tasks: Record<string, string | undefined> = {};
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const header = line.match(/^\s*\[tasks\.("?)([\w-]+)\1\]\s*$/);
    if (header) {
      current = header[2]!;
      tasks[current] = undefined;
      continue;
    }
    if (/^\s*\[/.test(line)) current = undefined;
    const run = line.match(/^\s*run\s*=\s*"([^"]*)"\s*$/);
    if (current && run) tasks[current] = run[1];
  }
  return tasks;
}

describe('mise.toml', () => {
  const tasks = miseTasks(fs.readFileSync(path.join(ROOT, 'mise.toml'), 'utf8'));
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

  it.each(['deploy-infra', 'publish-runtime', 'rollback-runtime', 'dev', 'test'])('task %s calls the npm script of the same name', (name) => {
    // Act
    const run = tasks[name];
    // Assess
    expect(run).toBeDefined();
    expect(run).toMatch(name === 'test' ? /^npm (run )?test( --)?$/ : new RegExp(`^npm run ${name}( --)?$`));
    expect(scripts[name]).toBeDefined();
  });

  it('has no task that calls a script package.json lacks', () => {
    // Act
    const dangling = Object.entries(tasks)
      .map(([name, run]) => ({ name, script: run?.match(/^npm (?:run )?([\w:-]+)/)?.[1] }))
      .filter(({ script }) => !script || !scripts[script])
      .map(({ name }) => name);
    // Assess
    expect(dangling).toEqual([]);
  });
});
