/**
 * cdktf app entry (cdktf.json runs `npx tsx stacks/main.ts`): bundles the Lambda handlers, then
 * synthesizes the `infra` stack for one environment.
 *
 *   npx cdktf synth                                                  # env from ABCA_ENV, else dev
 *   CDKTF_CONTEXT_JSON='{"env":"staging"}' npx cdktf synth
 *   npx tsx stacks/main.ts --context env=staging --context initialImageDigest=sha256:…
 *
 * Precedence (stacks/settings.ts): --context, then CDKTF_CONTEXT_JSON, then cdktf.json "context",
 * then the ABCA_* variables.
 */
import * as path from 'node:path';
import { App } from 'cdktf';
import { bundleDirs, bundleHandlers, DEFAULT_BUNDLE_DIR } from '../src/build/handlers';
import { describeError } from '../src/errors';
import { BLUEPRINTS } from './blueprints';
import { Blueprint } from './constructs/blueprint';
import { InfraStack, STACK_NAME } from './infra-stack';
import { checkContextKeys, contextFromArgv, contextFromConfigFile, contextFromEnvironment, readSettings } from './settings';

export const CDKTF_JSON = path.resolve(__dirname, '..', 'cdktf.json');

export async function synthInfra(opts: { outdir?: string; argv?: string[]; bundleDir?: string; configFile?: string } = {}): Promise<InfraStack> {
  const fromFile = contextFromConfigFile(opts.configFile ?? CDKTF_JSON);
  const fromEnv = contextFromEnvironment();
  const fromArgv = contextFromArgv(opts.argv ?? []);
  checkContextKeys(fromFile, 'cdktf.json');
  checkContextKeys(fromEnv, 'CDKTF_CONTEXT_JSON');
  checkContextKeys(fromArgv, '--context');
  if (Object.keys(fromFile).length && process.env.CDKTF_OUTDIR) {
    // Under the cdktf CLI, CDKTF_CONTEXT_JSON now holds cdktf.json's context: the shell's is lost.
    process.stderr.write('warning: cdktf.json has a "context" key, so the cdktf CLI ignored CDKTF_CONTEXT_JSON; set other keys through ABCA_* variables\n');
  }
  const bundleDir = opts.bundleDir ?? DEFAULT_BUNDLE_DIR;
  await bundleHandlers({ outDir: bundleDir });
  // Construct metadata stack traces cost most of the synth time and nobody reads them. cdktf's App
  // puts CDKTF_CONTEXT_JSON over the constructor's context; --context goes on top of both.
  const app = new App({ outdir: opts.outdir, stackTraces: false, context: fromFile });
  for (const [key, value] of Object.entries(fromArgv)) app.node.setContext(key, value);
  const settings = readSettings(app);
  const stack = new InfraStack(app, STACK_NAME, { settings, bundles: bundleDirs(bundleDir) });
  for (const props of BLUEPRINTS[settings.env] ?? []) new Blueprint(stack, `blueprint-${props.repo.replace(/[^A-Za-z0-9]+/g, '-')}`, props);
  app.synth();
  return stack;
}

if (require.main === module) {
  synthInfra({ argv: process.argv.slice(2) }).catch((e: unknown) => {
    process.stderr.write(`infra synth failed: ${describeError(e)}\n`);
    process.exit(1);
  });
}
