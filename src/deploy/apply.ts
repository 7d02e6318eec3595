/**
 * Runs a plan, step by step, exactly as planned. Each step observes first and acts only on what
 * is missing; the first failure stops the run (the rest are "not-run") and a second run resumes.
 */
import * as fs from 'node:fs';
import { ConflictError, describeError, OperationFailedError, ValidationError } from '../errors';
import { formatGithubHints, githubCommands, userIdCommand } from './github';
import { ensureImage, type ImageRepository, type PointerParameter } from './image';
import { renderCommand, type Command } from './command';
import {
  IMAGE_DIGEST_PLACEHOLDER,
  type GithubStep,
  type Plan,
  type Step,
  type LocalStateStep,
  type StepResult,
  type TerraformApplyStep,
  type UnprotectStep,
} from './plan';
import type { Runner } from './runner';
import { versioningWaitMs, type StateBucket } from './state-bucket';
import { isProtected, stateAddresses, stateResources, synthesizedAddresses, synthesizedAddressesOfTypes } from './terraform';

export interface ApplyDeps {
  stateBucket: StateBucket;
  images: ImageRepository;
  pointer: PointerParameter;
  runner: Runner;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** The clock (tests): when versioning was enabled, and how long is left to wait. */
  now?: () => number;
}

export interface ApplyReport {
  ok: boolean;
  results: StepResult[];
  digest?: string;
  /** What to set in GitHub (deploy-first), printed whether or not gh set it. */
  githubHints?: string;
  error?: { code: string; message: string };
  /** The error itself (for the exit code); not part of the JSON output. */
  failure?: unknown;
}

function substitute(c: Command, digest: string | undefined): Command {
  if (!digest) return c;
  const sub = (s: string) => s.split(IMAGE_DIGEST_PLACEHOLDER).join(digest);
  return { ...c, argv: c.argv.map(sub), env: c.env && Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, sub(v)])) };
}

async function mustRun(runner: Runner, c: Command, what: string): Promise<void> {
  const out = await runner.run(c);
  if (out.code !== 0)
    throw new OperationFailedError(
      `${what} failed (exit ${out.code}): ${renderCommand(c)}; fix the cause and run the same command again (it resumes)`,
      'STEP_FAILED',
    );
}

async function terraformApply(step: TerraformApplyStep, deps: ApplyDeps): Promise<StepResult> {
  const needed = step.targets.length ? step.targets : synthesizedAddresses(step.stackDir);
  const state = await deps.stateBucket.read(step.stateBucket, step.stateKey);
  const present = state ? stateAddresses(state) : new Set<string>();
  const missing = needed.filter((a) => !present.has(a));
  if (missing.length === 0)
    return { id: step.id, outcome: 'skipped', detail: `state already holds ${needed.length === 1 ? needed[0] : `all ${needed.length} resources`}` };
  deps.log(`${step.id}: ${missing.length} of ${needed.length} resource(s) not in state yet; terraform apply`);
  await mustRun(deps.runner, step.command, 'terraform apply');
  return { id: step.id, outcome: 'done', detail: `applied (${missing.length} resource(s) were missing from state)` };
}

async function localState(step: LocalStateStep, deps: ApplyDeps): Promise<StepResult> {
  let local: string;
  try {
    local = fs.readFileSync(step.file, 'utf8');
  } catch {
    return { id: step.id, outcome: 'skipped', detail: `no local state (${step.file})` };
  }
  const count = stateResources(local).length;
  if (count === 0) return { id: step.id, outcome: 'skipped', detail: `${step.file} holds no resources` };
  const remote = await deps.stateBucket.read(step.stateBucket, step.stateKey);
  if (remote === local) {
    fs.renameSync(step.file, `${step.file}.uploaded`);
    return { id: step.id, outcome: 'skipped', detail: `${step.file} is already the remote state (now ${step.file}.uploaded)` };
  }
  if (remote !== undefined) {
    throw new ConflictError(
      `both ${step.file} (${count} resources) and s3://${step.stateBucket}/${step.stateKey} exist and differ: decide which is the environment's state by hand (move the local file away to keep the remote one)`,
      'STATE_CONFLICT',
    );
  }
  await deps.stateBucket.write(step.stateBucket, step.stateKey, local);
  // Renamed, not deleted: a copy stays, and the next run (whose remote state has moved on) does not see two states.
  fs.renameSync(step.file, `${step.file}.uploaded`);
  return {
    id: step.id,
    outcome: 'done',
    detail: `uploaded ${step.file} (${count} resources) to s3://${step.stateBucket}/${step.stateKey}; the file is now ${step.file}.uploaded`,
  };
}

async function unprotect(step: UnprotectStep, deps: ApplyDeps): Promise<StepResult> {
  const state = await deps.stateBucket.read(step.stateBucket, step.stateKey);
  const inState = state ? stateResources(state).filter((r) => step.types.includes(r.type)) : [];
  const stillProtected = inState.filter(isProtected);
  if (stillProtected.length === 0)
    return {
      id: step.id,
      outcome: 'skipped',
      detail: inState.length ? `protection already off on ${inState.length} resource(s)` : 'no protected resources in state',
    };
  const targets = synthesizedAddressesOfTypes(step.stackDir, step.types);
  await mustRun(
    deps.runner,
    { ...step.command, argv: [...step.command.argv, ...targets.map((t) => `-target=${t}`)] },
    'terraform apply (deletion protection off)',
  );
  return { id: step.id, outcome: 'done', detail: `protection off on ${stillProtected.map((r) => r.address).join(', ')}` };
}

async function destroy(step: Extract<Step, { kind: 'terraform-destroy' }>, deps: ApplyDeps): Promise<StepResult> {
  const state = await deps.stateBucket.read(step.stateBucket, step.stateKey);
  const count = state ? stateResources(state).length : 0;
  if (count === 0) return { id: step.id, outcome: 'skipped', detail: 'the state holds no resources' };
  await mustRun(deps.runner, step.command, 'terraform destroy');
  return { id: step.id, outcome: 'done', detail: `destroyed (${count} resource(s) were in state)` };
}

async function github(step: GithubStep, deps: ApplyDeps): Promise<StepResult> {
  if (!step.apply) return { id: step.id, outcome: 'skipped', detail: 'printed below (set them by hand, or run again with --apply-github)' };
  const ids: Record<string, number> = {};
  for (const login of [...new Set(step.setup.environments.flatMap((e) => e.reviewers))]) {
    const out = await deps.runner.run(userIdCommand(login), { capture: true });
    const id = Number(out.stdout.trim());
    if (out.code !== 0 || !Number.isInteger(id) || id <= 0)
      throw new ValidationError(`GitHub user "${login}" not found (gh api users/${login})`, 'GITHUB_REVIEWER_NOT_FOUND');
    ids[login] = id;
  }
  const cmds = githubCommands(step.setup, ids);
  let added = 0;
  // Environments first (PUT creates or updates), then their branch policies, then variables.
  const [environments, variables] = [cmds.put.filter((c) => c.argv[1] === 'api'), cmds.put.filter((c) => c.argv[1] !== 'api')];
  for (const c of environments) await mustRun(deps.runner, c, 'gh api (environment)');
  for (const e of step.setup.environments) {
    const listed = await deps.runner.run(cmds.listBranchPolicies(e.name), { capture: true });
    if (listed.code !== 0) throw new OperationFailedError(`gh could not list the branch policies of ${e.name} (exit ${listed.code})`, 'GITHUB_FAILED');
    const have = new Set(
      listed.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
    for (const b of e.branches.filter((b) => !have.has(b))) {
      await mustRun(deps.runner, cmds.addBranchPolicy(e.name, b), 'gh api (branch policy)');
      added++;
    }
  }
  for (const c of variables) await mustRun(deps.runner, c, 'gh variable set');
  const byHand = step.setup.environments.filter((e) => e.requiredReviewers && e.reviewers.length === 0).map((e) => e.name);
  const set = `environments, ${variables.length} variables and ${added} new branch polic${added === 1 ? 'y' : 'ies'} set`;
  return {
    id: step.id,
    outcome: 'done',
    detail: byHand.length ? `${set}; add required reviewers to ${byHand.join(', ')} by hand (or pass --github-reviewer)` : set,
  };
}

async function runtimeStatus(step: Extract<Step, { kind: 'runtime-status' }>, deps: ApplyDeps): Promise<StepResult> {
  const sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + step.timeoutSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const out = await deps.runner.run(step.command, { capture: true });
    if (out.code === 0) return { id: step.id, outcome: 'done', detail: out.stdout.trim().split('\n')[0] ?? 'in sync' };
    // 3 = not in sync yet (the runtime may still be CREATING/UPDATING); anything else is a failure.
    if (out.code !== 3 || Date.now() + step.intervalSeconds * 1000 > deadline) {
      throw new OperationFailedError(`runtime-status exit ${out.code} after ${attempt} attempt(s):\n${out.stdout.trim()}`, 'RUNTIME_NOT_READY');
    }
    deps.log(`runtime-status: not in sync yet (attempt ${attempt}); again in ${step.intervalSeconds}s`);
    await sleep(step.intervalSeconds * 1000);
  }
}

/**
 * S3 asks for 15 minutes between first enabling versioning and writing objects (state-bucket.ts).
 * Waits out what is left of them, saying so each minute; a run stopped meanwhile resumes here and
 * waits only the rest. Returns how long it waited, in words ('' when it did not).
 */
async function awaitVersioning(bucket: string, deps: ApplyDeps, now: () => number): Promise<string> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const total = versioningWaitMs(await deps.stateBucket.versioningEnabledAt(bucket), now());
  if (!total) return '';
  deps.log(
    `versioning on ${bucket} was enabled less than 15 minutes ago: S3 recommends waiting that long before writing objects (Terraform state). Waiting ${Math.ceil(total / 60_000)} min; stopping and running again resumes the wait.`,
  );
  // Counted down by what was slept, so the wait is bounded by `total` whatever the clock does.
  for (let left = total; left > 0;) {
    const chunk = Math.min(left, 60_000);
    await sleep(chunk);
    left -= chunk;
    if (left > 0) deps.log(`versioning on ${bucket}: ${Math.ceil(left / 60_000)} min left`);
  }
  await deps.stateBucket.markVersioningSettled(bucket);
  return `${Math.ceil(total / 60_000)} min`;
}

async function runStep(step: Step, deps: ApplyDeps, state: { digest?: string }): Promise<StepResult> {
  switch (step.kind) {
    case 'state-bucket': {
      const now = deps.now ?? Date.now;
      const changed = await deps.stateBucket.ensure(step.bucket, step.region, now());
      const waited = await awaitVersioning(step.bucket, deps, now);
      const base = changed.length ? `${step.bucket}: ${changed.join(', ')}` : `${step.bucket} already set up`;
      const detail = deps.stateBucket.tlsOnly ? base : `${base} (no TLS-only policy: S3 is reached over plain HTTP here)`;
      return {
        id: step.id,
        outcome: changed.length || waited ? 'done' : 'skipped',
        detail: waited ? `${detail}; waited ${waited} for versioning to propagate` : detail,
      };
    }
    case 'command':
      await mustRun(deps.runner, substitute(step.command, state.digest), step.id);
      return { id: step.id, outcome: 'done', detail: 'ok' };
    case 'terraform-apply':
      return terraformApply({ ...step, command: substitute(step.command, state.digest) }, deps);
    case 'image': {
      const image = await ensureImage(step, deps);
      state.digest = image.digest;
      return { id: step.id, outcome: image.pushed ? 'done' : 'skipped', detail: image.detail };
    }
    case 'runtime-status':
      return runtimeStatus(step, deps);
    case 'github':
      return github(step, deps);
    case 'local-state':
      return localState(step, deps);
    case 'unprotect':
      return unprotect(step, deps);
    case 'terraform-destroy':
      return destroy(step, deps);
    case 'empty-repository': {
      const n = await deps.images.deleteAll(step.repositoryName);
      return n
        ? { id: step.id, outcome: 'done', detail: `deleted ${n} image(s)` }
        : { id: step.id, outcome: 'skipped', detail: 'no images (or no repository)' };
    }
  }
}

export async function applyPlan(plan: Plan, deps: ApplyDeps): Promise<ApplyReport> {
  const results: StepResult[] = [];
  const state: { digest?: string } = {};
  const githubStep = plan.steps.find((s): s is GithubStep => s.kind === 'github');
  const githubHints = githubStep ? formatGithubHints(githubStep.setup) : undefined;
  for (const [i, step] of plan.steps.entries()) {
    deps.log(`${i + 1}/${plan.steps.length} ${step.id}: ${step.title}`);
    try {
      const result = await runStep(step, deps, state);
      results.push(result);
      deps.log(`${i + 1}/${plan.steps.length} ${step.id}: ${result.outcome} (${result.detail})`);
    } catch (e) {
      results.push({ id: step.id, outcome: 'failed', detail: describeError(e) });
      for (const rest of plan.steps.slice(i + 1)) results.push({ id: rest.id, outcome: 'not-run', detail: '' });
      const error =
        e instanceof Error && 'code' in e
          ? { code: String((e as { code: unknown }).code), message: e.message }
          : { code: 'INTERNAL', message: describeError(e) };
      return { ok: false, results, digest: state.digest, githubHints, error, failure: e };
    }
  }
  return { ok: true, results, digest: state.digest, githubHints };
}
