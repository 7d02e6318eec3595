/**
 * Promotion cost beyond the target's publish: what `runtime promote` adds (policy read, the
 * eligibility check on the source's audit, the served-digest read, the ECR copy) to the publish it
 * ends with. moto's runtime and endpoints move at once here (no UPDATING hold), so the publish part
 * is the tool's own overhead too.
 *
 *   npx tsx bench/promote.ts [--runs N] [--history N]
 *
 * --history: how many earlier publishes the source's audit holds (the check reads them all).
 * Runs against a private moto server on loopback, stopped at the end. Aim: checks + copy < 1 s.
 */
import { fmtMs, startBenchEmulator } from './emulator';
import { printFigures } from './figures';
import { createClients } from '../src/aws/clients';
import { bootstrapLocal } from '../src/local/bootstrap';
import { pushLocalImage } from '../src/local/images';
import { openRuntime, publishRuntime } from '../src/runtime';
import { copyImage, promotedTag } from '../src/runtime/ecr-copy';
import { checkPromotion, promoteRuntime } from '../src/runtime/verbs/promote';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = arg('--runs', 3);
const history = arg('--history', 10);
const FAST = { pollIntervalMs: 50, timeoutMs: 60_000 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = fmtMs;

async function main(): Promise<void> {
  const moto = await startBenchEmulator();
  try {
    const clients = createClients();
    await bootstrapLocal({ env: 'bsrc', clients });
    await bootstrapLocal({ env: 'bdst', clients, promoteFrom: ['bsrc'] });
    const [source, target] = await Promise.all([openRuntime('bsrc', { clients, actor: 'bench' }), openRuntime('bdst', { clients, actor: 'bench' })]);
    const check: number[] = [];
    const copy: number[] = [];
    const total: number[] = [];
    const publishOnly: number[] = [];
    for (let i = 0; i < history; i++) {
      await pushLocalImage(clients.ecr, source.platform.ecrRepositoryName, `h${i}`);
      await publishRuntime(source, { imageTag: `h${i}`, smokeCmd: 'true', ...FAST });
    }
    for (let r = 0; r < runs; r++) {
      // A fresh digest live in the source each run, so every promotion really copies and publishes.
      const digest = await pushLocalImage(clients.ecr, source.platform.ecrRepositoryName, `p${r}`);
      await publishRuntime(source, { imageTag: `p${r}`, smokeCmd: 'true', ...FAST });
      let t = performance.now();
      await checkPromotion(source, target);
      check.push(performance.now() - t);
      t = performance.now();
      await copyImage(
        { ecr: clients.ecr, repositoryName: source.platform.ecrRepositoryName },
        { ecr: clients.ecr, repositoryName: target.platform.ecrRepositoryName },
        digest,
        { tag: promotedTag('bsrc', digest) },
      );
      copy.push(performance.now() - t);
      // The same digest promoted from the start (the copy is then a no-op read): promote = checks + publish.
      t = performance.now();
      await promoteRuntime(source, target, { smokeCmd: 'true', ...FAST });
      total.push(performance.now() - t);
      // A plain publish of another image in the target, for comparison.
      await pushLocalImage(clients.ecr, target.platform.ecrRepositoryName, `t${r}`);
      t = performance.now();
      await publishRuntime(target, { imageTag: `t${r}`, smokeCmd: 'true', ...FAST });
      publishOnly.push(performance.now() - t);
    }
    process.stdout.write(
      [
        `promotion bench: ${runs} runs, source audit with ${history + runs} publishes (median)`,
        `  pre-write checks (policy, served digest, eligibility) ${fmt(median(check))}`,
        `  ECR copy (moto: manifest only, no layer bytes)       ${fmt(median(copy))}`,
        `  whole promote (checks + copy check + publish)        ${fmt(median(total))}`,
        `  plain publish in the target, for comparison          ${fmt(median(publishOnly))}`,
        '',
      ].join('\n'),
    );
    printFigures('promote', [
      { name: 'pre-write checks (policy, digest, eligibility)', value: median(check), unit: 'ms' },
      { name: 'ECR copy (moto: manifest only)', value: median(copy), unit: 'ms' },
      { name: 'whole promote', value: median(total), unit: 'ms' },
      { name: 'plain publish in the target', value: median(publishOnly), unit: 'ms' },
    ]);
  } finally {
    await moto.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
