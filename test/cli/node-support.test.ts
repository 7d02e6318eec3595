/**
 * Node support: the commands print only what they mean to under Node 20 (the AWS SDK would add a
 * NodeVersionSupportWarning), and the workflows run on Node 22 and still test the oldest Node that
 * package.json allows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { useMoto } from '../support/moto';
import { ROOT, runTsx } from '../support/run';

describe('Node support', () => {
  useMoto();

  it('a script that calls AWS writes no SDK Node-version warning, only its own error line', async () => {
    // Prepare: the operator's environment, without the variable the test workers set
    const before = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    // Act: an environment that does not exist, so the script reads SSM and fails
    const run = await runTsx('scripts/runtime-status.ts', ['--env', 'nodewarn']).finally(() => {
      if (before !== undefined) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = before;
    });
    // Assess
    expect(run.code).not.toBe(0);
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: /)]);
  });

  it('an operator who sets the variable keeps their choice', () => {
    // Prepare
    const before = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'false';
    try {
      // Act
      jest.isolateModules(() => require('../../src/aws/clients'));
      // Assess
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
    } finally {
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = before;
      if (before === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    }
  });

  it('workflows set up Node 22 by default, and build tests on 22 and on the engines minimum', () => {
    // Prepare
    const setup = parse(fs.readFileSync(path.join(ROOT, '.github/actions/setup/action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> };
    const build = parse(fs.readFileSync(path.join(ROOT, '.github/workflows/build.yml'), 'utf8')) as {
      jobs: Record<string, { strategy?: { matrix?: { node?: string[] } } }>;
    };
    const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    // Assess
    expect(setup.inputs['node-version']!.default).toBe('22');
    expect(build.jobs.check!.strategy!.matrix!.node).toEqual(['22', engines.match(/>=\s*(\d+)/)![1]]);
  });
});
