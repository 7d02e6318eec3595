/**
 * cdktf app entry (cdktf.json runs `npx tsx stacks/main.ts`): bundles the Lambda handlers, then
 * synthesizes the `infra` stack for one environment.
 *
 *   npx cdktf synth                                                  # env from ABCA_ENV, else dev
 *   CDKTF_CONTEXT_JSON='{"env":"staging"}' npx cdktf synth
 *   npx tsx stacks/main.ts --context env=staging --context initialImageDigest=sha256:…
 */
import { App } from 'cdktf';
import { bundleDirs, bundleHandlers, DEFAULT_BUNDLE_DIR } from '../src/build/handlers';
import { describeError } from '../src/errors';
import { BLUEPRINTS } from './blueprints';
import { Blueprint } from './constructs/blueprint';
import { InfraStack, STACK_NAME } from './infra-stack';
import { contextFromArgv, readSettings } from './settings';

export async function synthInfra(opts: { outdir?: string; argv?: string[]; bundleDir?: string } = {}): Promise<InfraStack> {
  const bundleDir = opts.bundleDir ?? DEFAULT_BUNDLE_DIR;
  await bundleHandlers({ outDir: bundleDir });
  // Construct metadata stack traces cost most of the synth time and nobody reads them.
  const app = new App({ outdir: opts.outdir, stackTraces: false, context: contextFromArgv(opts.argv ?? []) });
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
