/**
 * The GitHub workflows: valid per the real schema validator, pinned, least privilege, gated by the
 * classifier, and the runtime pipeline can neither reach the infra role nor run Terraform.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse, stringify } from 'yaml';
import {
  actionDirs,
  concurrencyOf,
  environmentName,
  expandedSteps,
  loadAction,
  loadWorkflow,
  localAction,
  needsOf,
  rolesAssumed,
  ROOT,
  strings,
  workflowFiles,
  type Job,
  type Step,
  type Workflow,
} from './workflow-model';
import { githubSetup } from '../../src/deploy/github';

const WORKFLOWS = workflowFiles().map(loadWorkflow);
const ACTIONS = actionDirs().map(loadAction);
const byFile = (file: string): Workflow => {
  const wf = WORKFLOWS.find((w) => w.file === file);
  if (!wf) throw new Error(`missing .github/workflows/${file}`);
  return wf;
};
const jobsOf = (wf: Workflow): [string, Job][] => Object.entries(wf.jobs);
const runs = (steps: Step[]): string[] => steps.map((s) => s.run ?? '').filter(Boolean);
const DEPLOY_GROUP = 'abca-deploy-${{ needs.changes.outputs.env }}';
const ALL_FILES = [...WORKFLOWS.map((w) => ({ file: w.file, raw: w.raw })), ...ACTIONS.map((a) => ({ file: a.file, raw: a.raw }))];
const ALL_STEPS = [
  ...WORKFLOWS.flatMap((w) => jobsOf(w).flatMap(([id, j]) => (j.steps ?? []).map((s) => ({ where: `${w.file}#${id}`, step: s })))),
  ...ACTIONS.flatMap((a) => a.runs.steps.map((s) => ({ where: a.file, step: s }))),
];

describe('the workflow set', () => {
  it('has exactly build, deploy-infra, deploy-runtime and promote-runtime, and the composite actions they use', () => {
    // Assess
    expect(WORKFLOWS.map((w) => w.file)).toEqual(['build.yml', 'deploy-infra.yml', 'deploy-runtime.yml', 'promote-runtime.yml']);
    expect(ACTIONS.map((a) => a.dir)).toEqual(['classify-changes', 'setup']);
  });
});

describe('schema validation (@action-validator/core)', () => {
  it.each(workflowFiles())('workflow %s validates', (file) => {
    // Act
    const state = validateWorkflow(byFile(file).raw);
    // Assess
    expect(state.errors).toEqual([]);
  });

  it.each(actionDirs())('composite action %s validates', (dir) => {
    // Act
    const state = validateAction(loadAction(dir).raw);
    // Assess
    expect(state.errors).toEqual([]);
  });

  it('really rejects a broken workflow (the validator is not a no-op)', () => {
    // Prepare: a typo in one step key of deploy-runtime.yml
    const doc = parse(byFile('deploy-runtime.yml').raw) as { jobs: Record<string, Job> };
    const step = doc.jobs.publish!.steps!.find((s) => s.run)!;
    (step as Record<string, unknown>).rnu = step.run;
    delete step.run;
    // Act
    const state = validateWorkflow(stringify(doc));
    // Assess
    expect(state.errors.length).toBeGreaterThan(0);
  });
});

describe('pinned actions', () => {
  const usesLines = ALL_FILES.flatMap(({ file, raw }) =>
    raw
      .split('\n')
      .map((line, i) => ({ file, line: i + 1, text: line }))
      .filter((l) => /^\s*(-\s+)?uses:/.test(l.text)),
  );

  it('finds the uses: lines it checks', () => {
    // Assess
    expect(usesLines.length).toBeGreaterThan(20);
  });

  it('pins every third-party action to a full commit SHA with a # vX.Y.Z comment', () => {
    // Act
    const bad = usesLines
      .filter((l) => !/uses:\s*\.\//.test(l.text))
      .filter((l) => !/uses:\s*[\w.-]+\/[\w.\-/]+@[0-9a-f]{40}\s+#\s*v\d+\.\d+\.\d+\s*$/.test(l.text))
      .map((l) => `${l.file}:${l.line}: ${l.text.trim()}`);
    // Assess
    expect(bad).toEqual([]);
  });

  it('pins each action to one SHA everywhere', () => {
    // Prepare
    const shas = new Map<string, Set<string>>();
    for (const { step } of ALL_STEPS) {
      const m = step.uses?.match(/^([^@]+)@(.+)$/);
      if (m) shas.set(m[1]!, (shas.get(m[1]!) ?? new Set()).add(m[2]!));
    }
    // Act
    const inconsistent = [...shas].filter(([, set]) => set.size > 1).map(([name]) => name);
    // Assess
    expect(inconsistent).toEqual([]);
  });

  it('uses only local actions that exist', () => {
    // Act
    const missing = ALL_STEPS.filter(({ step }) => step.uses?.startsWith('./'))
      .filter(({ step }) => !fs.existsSync(path.join(ROOT, step.uses!, 'action.yml')))
      .map(({ where, step }) => `${where}: ${step.uses}`);
    // Assess
    expect(missing).toEqual([]);
  });
});

describe('least privilege', () => {
  it.each(workflowFiles())('%s grants only contents: read at the top level', (file) => {
    // Assess
    expect(byFile(file).permissions).toEqual({ contents: 'read' });
  });

  it('grants id-token: write exactly to the jobs that assume an AWS role, each in a GitHub environment', () => {
    // Prepare
    const jobs = WORKFLOWS.flatMap((w) => jobsOf(w).map(([id, job]) => ({ where: `${w.file}#${id}`, job })));
    // Act
    const withToken = jobs.filter(({ job }) => typeof job.permissions === 'object' && job.permissions['id-token'] === 'write').map((j) => j.where);
    const assuming = jobs.filter(({ job }) => rolesAssumed(job).length > 0).map((j) => j.where);
    const withoutEnvironment = jobs.filter(({ job }) => rolesAssumed(job).length > 0 && !environmentName(job)).map((j) => j.where);
    // Assess
    expect(assuming.length).toBeGreaterThan(0);
    expect(withToken).toEqual(assuming);
    expect(withoutEnvironment).toEqual([]);
  });

  it('never grants a job more than contents: read and id-token: write', () => {
    // Act
    const extra = WORKFLOWS.flatMap((w) =>
      jobsOf(w).flatMap(([id, job]) =>
        Object.entries(typeof job.permissions === 'object' ? job.permissions : {})
          .filter(([scope, level]) => !(scope === 'contents' && level === 'read') && !(scope === 'id-token' && level === 'write'))
          .map(([scope, level]) => `${w.file}#${id}: ${scope}: ${level}`),
      ),
    );
    // Assess
    expect(extra).toEqual([]);
  });

  it('build.yml holds no AWS credentials and pushes no image', () => {
    // Prepare
    const build = byFile('build.yml');
    const steps = jobsOf(build).flatMap(([, j]) => expandedSteps(j.steps));
    // Assess
    expect(jobsOf(build).flatMap(([, j]) => rolesAssumed(j))).toEqual([]);
    expect(steps.filter((s) => s.uses?.startsWith('docker/build-push-action@')).map((s) => s.with?.push)).toEqual([false]);
    expect(steps.some((s) => /docker (image )?push/.test(s.run ?? ''))).toBe(false);
  });

  it('checks out without persisting the token', () => {
    // Act
    const persisting = ALL_STEPS.filter(({ step }) => step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false).map(
      ({ where }) => where,
    );
    // Assess
    expect(persisting).toEqual([]);
  });

  it('puts no ${{ }} expression inside a run script (values reach scripts through env:, no injection)', () => {
    // Act
    const inline = ALL_STEPS.filter(({ step }) => (step.run ?? '').includes('${{')).map(({ where, step }) => `${where}: ${step.name ?? step.run}`);
    // Assess
    expect(inline).toEqual([]);
  });

  it('bounds every job with timeout-minutes', () => {
    // Act
    const unbounded = WORKFLOWS.flatMap((w) =>
      jobsOf(w)
        .filter(([, j]) => typeof j['timeout-minutes'] !== 'number')
        .map(([id]) => `${w.file}#${id}`),
    );
    // Assess
    expect(unbounded).toEqual([]);
  });
});

describe('deploy-runtime.yml: the publisher role only, and never Terraform', () => {
  const wf = byFile('deploy-runtime.yml');
  const steps = jobsOf(wf).flatMap(([, j]) => expandedSteps(j.steps));

  it('assumes only abca-<env>-ci-publisher, never the infra role', () => {
    // Act
    const roles = jobsOf(wf).flatMap(([, j]) => rolesAssumed(j));
    // Assess
    expect(roles.length).toBeGreaterThanOrEqual(3);
    for (const role of roles) {
      expect(role).toMatch(/^arn:aws:iam::\$\{\{ vars\.AWS_ACCOUNT_ID \}\}:role\/abca-\$\{\{ needs\.changes\.outputs\.env \}\}-ci-publisher$/);
    }
    expect(strings(wf.jobs).filter((s) => /ci-infra/.test(s))).toEqual([]);
    expect(wf.raw).not.toMatch(/ci-infra/);
  });

  it('runs no terraform or cdktf, directly or through a composite action', () => {
    // Act
    const offending = steps.flatMap((s) => [s.run ?? '', s.uses ?? '', ...strings(s.with)]).filter((s) => /terraform|cdktf/i.test(s));
    // Assess
    expect(steps.length).toBeGreaterThan(10);
    expect(offending).toEqual([]);
    expect(runs(steps).some((r) => /npm run (deploy-infra|synth)/.test(r))).toBe(false);
  });

  it('builds linux/arm64 with buildx and QEMU, pushes, caches, and hands over a plain image digest', () => {
    // Prepare
    const build = wf.jobs.build!;
    const bp = build.steps!.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
    // Assess
    expect(build.steps!.some((s) => s.uses?.startsWith('docker/setup-qemu-action@'))).toBe(true);
    expect(build.steps!.some((s) => s.uses?.startsWith('docker/setup-buildx-action@'))).toBe(true);
    expect(bp.with).toMatchObject({ platforms: 'linux/arm64', push: true, provenance: false, file: 'agent/Dockerfile' });
    expect(String(bp.with!['cache-from'])).toMatch(/^type=gha/);
    expect(String(bp.with!['cache-to'])).toMatch(/^type=gha/);
    expect(build.outputs).toEqual({ digest: `\${{ steps.${bp.id}.outputs.digest }}` });
  });

  it('publishes by digest with a smoke command, and rolls back with the rollback script', () => {
    // Prepare
    const publish = runs(wf.jobs.publish!.steps!).join('\n');
    const rollback = runs(wf.jobs.rollback!.steps!).join('\n');
    // Assess
    expect(publish).toMatch(/npx tsx scripts\/publish-runtime\.ts "\$\{args\[@\]\}"/);
    expect(publish).toContain('--image-digest "$IMAGE_DIGEST"');
    expect(publish).toContain('--smoke-cmd "npx tsx scripts/smoke-runtime.ts --env $ABCA_ENV"');
    // An image built from this commit must answer with this commit, or the publish rolls back.
    expect(publish).toContain('--smoke-cmd "npx tsx scripts/smoke-runtime.ts --env $ABCA_ENV --expect-commit $GITHUB_SHA"');
    expect(wf.jobs.publish!.steps!.find((s) => s.run?.includes('publish-runtime'))!.env).toMatchObject({
      IMAGE_DIGEST: '${{ needs.build.outputs.digest }}',
      IMAGE_TAG: '${{ inputs.image_tag }}',
    });
    expect(rollback).toContain('npx tsx scripts/rollback-runtime.ts "${args[@]}"');
    expect(wf.jobs.rollback!.if).toBe("github.event_name == 'workflow_dispatch' && inputs.action == 'rollback'");
  });

  it('offers a manual publish by image tag and a manual rollback', () => {
    // Prepare
    const dispatch = wf.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> };
    // Assess
    expect(dispatch.inputs.action).toMatchObject({ type: 'choice', options: ['publish', 'rollback'] });
    expect(Object.keys(dispatch.inputs)).toEqual(expect.arrayContaining(['environment', 'image_tag', 'to_version', 'to_label', 'to_digest', 'reason']));
  });
});

describe('promote-runtime.yml: a manual promotion as the target publisher, behind the target environment', () => {
  const wf = byFile('promote-runtime.yml');
  const promote = wf.jobs.promote!;
  const steps = expandedSteps(promote.steps);

  it('is dispatched by hand only, with from, to and an optional digest', () => {
    // Prepare
    const dispatch = wf.on.workflow_dispatch as { inputs: Record<string, { type: string; required?: boolean }> };
    // Assess
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    expect(dispatch.inputs).toMatchObject({ from: { required: true }, to: { required: true }, digest: { required: false }, reason: { required: false } });
  });

  it("assumes only the target's abca-<to>-ci-publisher, in the GitHub environment <to>-runtime, with the target validated by the classifier", () => {
    // Assess
    expect(jobsOf(wf).flatMap(([, j]) => rolesAssumed(j))).toEqual([
      'arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/abca-${{ needs.changes.outputs.env }}-ci-publisher',
    ]);
    expect(environmentName(promote)).toBe('${{ needs.changes.outputs.env }}-runtime');
    expect(needsOf(promote)).toEqual(['changes']);
    const classify = wf.jobs.changes!.steps!.find((s) => s.id === 'classify')!;
    expect(classify.with).toEqual({ environment: '${{ inputs.to }}' });
    expect(wf.jobs.changes!.outputs).toEqual({ env: '${{ steps.classify.outputs.env }}' });
    expect(wf.raw).not.toMatch(/ci-infra|terraform|cdktf/i);
  });

  it('runs the promote script with a smoke check in the deploy group of the target, then checks for drift', () => {
    // Prepare
    const script = runs(steps).join('\n');
    const step = steps.find((s) => s.run?.includes('promote-runtime.ts'))!;
    // Assess
    expect(concurrencyOf(promote)).toEqual({ group: DEPLOY_GROUP, cancel: false });
    expect(script).toContain('npx tsx scripts/promote-runtime.ts "${args[@]}"');
    expect(script).toContain('--from "$FROM_ENV" --to "$ABCA_ENV" --smoke-cmd "npx tsx scripts/smoke-runtime.ts --env $ABCA_ENV"');
    expect(script).toContain('args+=(--digest "$DIGEST")');
    expect(step.env).toEqual({ FROM_ENV: '${{ inputs.from }}', DIGEST: '${{ inputs.digest }}', REASON: '${{ inputs.reason }}' });
    expect(script).toContain('npx tsx scripts/runtime-status.ts --env "$ABCA_ENV"');
  });
});

describe('deploy-infra.yml: diff, then a reviewed deploy, with the infra role', () => {
  const wf = byFile('deploy-infra.yml');

  it('assumes the read-only abca-<env>-ci-infra-plan for the diff and abca-<env>-ci-infra only for the reviewed deploy', () => {
    // Act
    const roles = jobsOf(wf).map(([id, j]) => [id, rolesAssumed(j)]);
    // Assess
    expect(roles.filter(([, r]) => r.length)).toEqual([
      ['diff', [expect.stringMatching(/:role\/abca-\$\{\{ needs\.changes\.outputs\.env \}\}-ci-infra-plan$/)]],
      ['deploy', [expect.stringMatching(/:role\/abca-\$\{\{ needs\.changes\.outputs\.env \}\}-ci-infra$/)]],
    ]);
  });

  it('runs cdktf diff first, and cdktf deploy only in the job behind the <env>-infra environment', () => {
    // Prepare
    const diff = wf.jobs.diff!;
    const deploy = wf.jobs.deploy!;
    // Assess
    expect(runs(diff.steps!).join('\n')).toContain('npx cdktf diff infra');
    expect(runs(diff.steps!).join('\n')).not.toContain('cdktf deploy');
    expect(runs(deploy.steps!).join('\n')).toContain('npx cdktf deploy infra --auto-approve');
    expect(needsOf(deploy)).toContain('diff');
    expect(environmentName(deploy)).toBe('${{ needs.changes.outputs.env }}-infra');
    expect(environmentName(diff)).toBe('${{ needs.changes.outputs.env }}-infra-plan');
    const deploying = jobsOf(wf)
      .filter(([, j]) => runs(j.steps ?? []).some((r) => /cdktf deploy/.test(r)))
      .map(([id]) => id);
    expect(deploying).toEqual(['deploy']);
  });

  it('uses Terraform without the output wrapper (cdktf parses terraform output)', () => {
    // Act
    const setups = jobsOf(wf).flatMap(([, j]) => (j.steps ?? []).filter((s) => s.uses?.startsWith('hashicorp/setup-terraform@')));
    // Assess
    expect(setups).toHaveLength(2);
    for (const s of setups) expect(s.with).toMatchObject({ terraform_wrapper: false });
  });
});

describe('deploy-infra.yml: only from the remote state of the first deploy', () => {
  const wf = byFile('deploy-infra.yml');
  const terraformJobs = jobsOf(wf).filter(([, j]) => runs(j.steps ?? []).some((r) => /npx cdktf (diff|deploy)/.test(r)));
  const guardOf = (job: Job): Step => job.steps![0]!;
  const runGuard = (script: string, env: Record<string, string>) =>
    spawnSync('bash', ['-e', '-c', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });

  it('runs cdktf in the diff and deploy jobs only', () => {
    // Assess
    expect(terraformJobs.map(([id]) => id)).toEqual(['diff', 'deploy']);
  });

  it.each(['diff', 'deploy'])('%s: takes the state bucket from the GitHub variable and makes the app require it', (id) => {
    // Prepare
    const job = wf.jobs[id]!;
    // Assess
    expect(job.env).toMatchObject({ ABCA_STATE_BUCKET: '${{ vars.ABCA_STATE_BUCKET }}', ABCA_REQUIRE_REMOTE_STATE: 'true' });
  });

  it.each(['diff', 'deploy'])('%s: refuses at its first step, before credentials or cdktf, when the variable is empty', (id) => {
    // Prepare
    const job = wf.jobs[id]!;
    const guard = guardOf(job);
    const firstCdktf = job.steps!.findIndex((s) => /cdktf/.test(s.run ?? ''));
    const firstCredentials = job.steps!.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    // Act: the guard's own script, as the runner would run it
    const without = runGuard(guard.run!, { ABCA_STATE_BUCKET: '', ABCA_ENV: 'dev' });
    const withBucket = runGuard(guard.run!, { ABCA_STATE_BUCKET: 'acme-tf-state', ABCA_ENV: 'dev' });
    // Assess
    expect(guard.name).toBe('Refuse without the remote Terraform state');
    expect(firstCredentials).toBeGreaterThan(0);
    expect(firstCdktf).toBeGreaterThan(firstCredentials);
    expect(without.status).not.toBe(0);
    expect(without.stdout).toContain('::error title=No remote Terraform state::ABCA_STATE_BUCKET is not set');
    expect(withBucket.status).toBe(0);
    expect(withBucket.stdout).toContain('s3://acme-tf-state/abca/dev/infra.tfstate');
  });

  it('reads every variable the first deploy tells the operator to set on the infra environments', () => {
    // Prepare: what `npm run deploy:first` prints for an account with every optional setting
    const setup = githubSetup({
      env: 'dev',
      repository: 'acme/abca',
      accountId: '123456789012',
      region: 'us-east-1',
      stateBucket: 'acme-tf-state',
      infraVariables: { ABCA_GITHUB_OIDC_PROVIDER_ARN: 'arn', ABCA_VPC_CIDR: '10.9.0.0/16', ABCA_MANAGE_API_GATEWAY_ACCOUNT: 'false' },
    });
    const infraEnvironments = setup.environments.filter((e) => /-infra(-plan)?$/.test(e.name));
    // Act
    const read = new Set([...wf.raw.matchAll(/vars\.([A-Z0-9_]+)/g)].map((m) => m[1]!));
    // Assess
    expect(infraEnvironments.map((e) => e.name)).toEqual(['dev-infra-plan', 'dev-infra']);
    for (const e of infraEnvironments) expect(Object.keys(e.variables).filter((v) => !read.has(v))).toEqual([]);
    expect(Object.keys(setup.repositoryVariables).filter((v) => !read.has(v))).toEqual([]);
  });
});

describe('one deploy at a time per environment', () => {
  const mutating = (wf: Workflow): [string, Job][] => jobsOf(wf).filter(([, j]) => concurrencyOf(j) !== undefined);

  it('deploy-infra deploy and deploy-runtime publish/rollback share abca-deploy-<env>, never cancelling a running deploy', () => {
    // Prepare
    const infra = mutating(byFile('deploy-infra.yml'));
    const runtime = mutating(byFile('deploy-runtime.yml'));
    // Assess
    expect(infra.map(([id]) => id)).toEqual(['deploy']);
    expect(runtime.map(([id]) => id)).toEqual(['publish', 'rollback']);
    for (const [, job] of [...infra, ...runtime]) {
      expect(concurrencyOf(job)).toEqual({ group: DEPLOY_GROUP, cancel: false });
    }
  });

  it('names the environment in the group from the same validated classifier output in both workflows', () => {
    // Prepare
    const changes = ['deploy-infra.yml', 'deploy-runtime.yml'].map((f) => byFile(f).jobs.changes!);
    // Assess
    for (const job of changes) {
      expect(job.outputs?.env).toBe('${{ steps.classify.outputs.env }}');
      const classify = job.steps!.find((s) => s.id === 'classify')!;
      expect(classify.uses).toBe('./.github/actions/classify-changes');
      expect(classify.with).toEqual({ environment: "${{ inputs.environment || vars.ABCA_DEPLOY_ENV || 'dev' }}" });
    }
  });

  it('puts every job that writes to AWS (deploy, publish, rollback) in the group', () => {
    // Prepare
    const writers = ['deploy-infra.yml', 'deploy-runtime.yml'].flatMap((f) =>
      jobsOf(byFile(f))
        .filter(([, j]) => runs(expandedSteps(j.steps)).some((r) => /cdktf deploy|publish-runtime\.ts|rollback-runtime\.ts/.test(r)))
        .map(([id, j]) => ({ id, group: concurrencyOf(j)?.group })),
    );
    // Assess
    expect(writers.map((w) => w.id)).toEqual(['deploy', 'publish', 'rollback']);
    for (const w of writers) expect(w.group).toBe(DEPLOY_GROUP);
  });

  it('keeps build.yml out of the deploy group', () => {
    // Assess
    expect(byFile('build.yml').raw).not.toContain('abca-deploy-');
  });
});

describe('gated by the classifier, not by path lists', () => {
  it.each(workflowFiles())('%s has no path filters on its triggers', (file) => {
    // Prepare
    const triggers = Object.values(byFile(file).on ?? {}).filter((t): t is Record<string, unknown> => !!t && typeof t === 'object');
    // Assess
    for (const t of triggers) {
      expect(t).not.toHaveProperty('paths');
      expect(t).not.toHaveProperty('paths-ignore');
    }
  });

  it.each(workflowFiles())('%s calls the classify-changes action, which runs scripts/classify-changes.ts', (file) => {
    // Prepare
    const steps = jobsOf(byFile(file)).flatMap(([, j]) => j.steps ?? []);
    const classify = steps.find((s) => s.uses === './.github/actions/classify-changes');
    // Assess
    expect(classify).toBeDefined();
    expect(runs(localAction(classify!.uses)!.runs.steps).join('\n')).toContain('npx tsx scripts/classify-changes.ts');
  });

  it('repeats no path rule and runs no git diff in any workflow', () => {
    // Act
    const offending = ALL_STEPS.map(({ where, step }) => ({ where, text: step.run ?? '' })).filter(({ text }) =>
      /git diff|stacks\/|custom-resources\/|src\/api/.test(text),
    );
    // Assess
    expect(offending).toEqual([]);
  });

  it('checks out full history wherever it classifies (the compared commits must be present)', () => {
    // Act
    const shallow = WORKFLOWS.flatMap((w) =>
      jobsOf(w)
        .filter(([, j]) => (j.steps ?? []).some((s) => s.uses === './.github/actions/classify-changes'))
        .filter(([, j]) => (j.steps ?? []).find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth'] !== 0)
        .map(([id]) => `${w.file}#${id}`),
    );
    // Assess
    expect(shallow).toEqual([]);
  });

  it.each<[string, string, string]>([
    ['deploy-infra.yml', 'diff', "needs.changes.outputs.deploy == 'true'"],
    ['deploy-runtime.yml', 'build', "needs.changes.outputs.deploy == 'true'"],
    ['deploy-runtime.yml', 'publish', "needs.changes.outputs.deploy == 'true'"],
    ['build.yml', 'image', "needs.changes.outputs.runtime == 'true'"],
  ])('%s job %s runs only when its layer changed', (file, id, condition) => {
    // Prepare
    const job = byFile(file).jobs[id]!;
    // Assess
    expect(needsOf(job)).toContain('changes');
    expect(job.if).toContain(condition);
  });

  it('deploy-infra deploys only after the gated diff job (a skipped diff skips the deploy)', () => {
    // Prepare
    const deploy = byFile('deploy-infra.yml').jobs.deploy!;
    // Assess
    expect(needsOf(deploy)).toEqual(['changes', 'diff']);
    expect(deploy.if).toBeUndefined();
  });

  it('wires the layer flag from the classifier: infra for deploy-infra, runtime for deploy-runtime', () => {
    // Assess
    expect(byFile('deploy-infra.yml').jobs.changes!.outputs!.deploy).toBe('${{ steps.classify.outputs.infra }}');
    expect(byFile('deploy-runtime.yml').jobs.changes!.outputs!.deploy).toBe('${{ steps.classify.outputs.runtime }}');
  });
});

describe('references between jobs, steps and inputs resolve', () => {
  it.each(workflowFiles())('%s: every needs.*, steps.* and inputs.* reference exists', (file) => {
    // Prepare
    const wf = byFile(file);
    const dispatch = (wf.on.workflow_dispatch as { inputs?: Record<string, unknown> } | undefined)?.inputs ?? {};
    const problems: string[] = [];
    // Act
    for (const [id, job] of jobsOf(wf)) {
      const needs = needsOf(job);
      for (const n of needs) if (!wf.jobs[n]) problems.push(`${id}: needs unknown job ${n}`);
      const stepIds = (job.steps ?? []).map((s) => s.id).filter(Boolean);
      for (const text of strings(job)) {
        for (const m of text.matchAll(/needs\.([\w-]+)\.(outputs\.([\w-]+)|result)/g)) {
          if (!needs.includes(m[1]!)) problems.push(`${id}: uses needs.${m[1]} without needing it`);
          else if (m[3] && !wf.jobs[m[1]!]!.outputs?.[m[3]]) problems.push(`${id}: job ${m[1]} has no output ${m[3]}`);
        }
        for (const m of text.matchAll(/steps\.([\w-]+)\.outputs/g)) if (!stepIds.includes(m[1]!)) problems.push(`${id}: no step ${m[1]}`);
        for (const m of text.matchAll(/inputs\.([\w-]+)/g)) if (!(m[1]! in dispatch)) problems.push(`${id}: no input ${m[1]}`);
      }
    }
    // Assess
    expect(problems).toEqual([]);
  });

  it.each(actionDirs())('composite action %s: outputs come from its steps, inputs are declared', (dir) => {
    // Prepare
    const action = loadAction(dir);
    const stepIds = action.runs.steps.map((s) => s.id).filter(Boolean);
    const problems: string[] = [];
    // Act
    for (const text of strings({ outputs: action.outputs, steps: action.runs.steps })) {
      for (const m of text.matchAll(/steps\.([\w-]+)\.outputs/g)) if (!stepIds.includes(m[1]!)) problems.push(`no step ${m[1]}`);
      for (const m of text.matchAll(/inputs\.([\w-]+)/g)) if (!(m[1]! in (action.inputs ?? {}))) problems.push(`no input ${m[1]}`);
    }
    // Assess
    expect(action.runs.using).toBe('composite');
    expect(problems).toEqual([]);
  });

  it('reads only classifier outputs the script really writes (infra, runtime, layers, env)', () => {
    // Prepare
    const action = loadAction('classify-changes');
    // Act
    const read = strings(action.outputs).flatMap((t) => [...t.matchAll(/steps\.classify\.outputs\.([\w-]+)/g)].map((m) => m[1]!));
    // Assess
    expect(read.sort()).toEqual(['env', 'infra', 'layers', 'runtime']);
  });
});

describe('build.yml: pull requests on GitHub-hosted runners only', () => {
  /** Evaluates the `${{ a == 'b' && 'c' || d || 'e' }}` expressions runs-on uses (GitHub's operator precedence). */
  function evaluate(expr: string, ctx: Record<string, string | undefined>): string | undefined {
    const inner = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(expr.trim())?.[1];
    if (inner === undefined) return expr;
    const value = (term: string): string | undefined => {
      const t = term.trim();
      const literal = /^'(.*)'$/.exec(t);
      if (literal) return literal[1];
      const eq = /^(.+?)\s*==\s*(.+)$/.exec(t);
      if (eq) return value(eq[1]!) === value(eq[2]!) ? 'true' : undefined;
      return ctx[t];
    };
    for (const alternative of inner.split('||')) {
      let result: string | undefined = 'true';
      for (const conjunct of alternative.split('&&')) result = result ? value(conjunct) : result;
      if (result) return result;
    }
    return undefined;
  }
  const HOSTED = /^(ubuntu|windows|macos)-[a-z0-9.-]+$/;

  it('never puts a pull request on ABCA_ARM64_RUNNER (which may be self-hosted); pushes may use it', () => {
    // Prepare
    const build = byFile('build.yml');
    const ctx = (event: string) => ({ 'github.event_name': event, 'vars.ABCA_ARM64_RUNNER': 'self-hosted-arm64' });
    // Act
    const onPr = jobsOf(build).map(([id, j]) => [id, evaluate(String(j['runs-on']), ctx('pull_request'))]);
    const onPush = jobsOf(build).map(([id, j]) => [id, evaluate(String(j['runs-on']), ctx('push'))]);
    // Assess
    expect(onPr.filter(([, label]) => !HOSTED.test(String(label)))).toEqual([]);
    expect(onPush).toContainEqual(['image', 'self-hosted-arm64']);
  });
});
