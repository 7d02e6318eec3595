/**
 * The synthesized stack of an environment, for local enforcement: the same InfraStack `cdktf synth`
 * builds, with the environment's default settings. Lambda code does not change a policy, so the
 * handlers are empty stand-ins here rather than bundled (bundling costs seconds per start).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { bundleDirs, type HandlerName } from '../../build/handlers';
import { InfraStack, STACK_NAME } from '../../../stacks/infra-stack';
import { readSettings } from '../../../stacks/settings';
import type { TfJson } from './synthesized';

let standIns: Record<HandlerName, string> | undefined;

function emptyBundles(): Record<HandlerName, string> {
  if (standIns) return standIns;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-iam-stack-'));
  process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  const dirs = bundleDirs(root);
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.js'), '');
  }
  return (standIns = dirs);
}

/** `env`'s stack as cdk.tf.json holds it; `context` as `--context` would give it. */
export function synthesizedStack(env: string, context: Record<string, unknown> = {}): TfJson {
  const app = Testing.app({ stackTraces: false, context: { githubRepository: 'local/abca', ...context, env } });
  const stack = new InfraStack(app, STACK_NAME, { settings: readSettings(app), bundles: emptyBundles() });
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** A stack source that synthesizes each environment once per settings; `context` applies to all. */
export function cachedStacks(context: Record<string, unknown> = {}): (env: string, settings?: Record<string, unknown>) => TfJson {
  const stacks = new Map<string, TfJson>();
  return (env, settings = {}) => {
    const key = JSON.stringify([env, settings]);
    let json = stacks.get(key);
    if (!json) stacks.set(key, (json = synthesizedStack(env, { ...context, ...settings })));
    return json;
  };
}
