/**
 * scripts/deploy-first.ts as an operator runs it (child process, against moto for STS): --help,
 * refusals with exit 2, and --dry-run printing exactly the plan planFirstDeploy computes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { planFirstDeploy } from '../../src/deploy/first-deploy';
import { formatPlan } from '../../src/deploy/plan';
import { useMoto } from '../support/moto';
import { ROOT, runTsx } from '../support/run';

useMoto();

const SCRIPT = 'scripts/deploy-first.ts';
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const expected = planFirstDeploy({
  env: 'dev',
  region: 'us-east-1',
  accountId: '123456789012',
  githubRepository: 'acme/abca',
  commit,
  outdir: 'cdktf.out',
  applyGithub: false,
});

describe('scripts/deploy-first.ts', () => {
  it('prints its usage with --help', async () => {
    // Act
    const r = await runTsx(SCRIPT, ['--help']);
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--github-repository <owner/repo>');
    expect(r.stdout).toContain('--dry-run');
  });

  it('--dry-run prints exactly the plan and changes nothing', async () => {
    // Act
    const text = await runTsx(SCRIPT, ['--env', 'dev', '--github-repository', 'acme/abca', '--dry-run']);
    const json = await runTsx(SCRIPT, ['--env', 'dev', '--github-repository', 'acme/abca', '--dry-run', '--json']);
    // Assess
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`${formatPlan(expected)}\n`);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, dryRun: true, plan: JSON.parse(JSON.stringify(expected)) });
    await expect(new S3Client({ region: 'us-east-1' }).send(new HeadBucketCommand({ Bucket: expected.stateBucket }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it.each<[string[], RegExp]>([
    [['--env', 'dev'], /--github-repository owner\/repo is required/],
    [['--env', 'dev', '--github-repository', 'acme'], /--github-repository must be "owner\/repo"/],
    [['--env', 'dev', '--github-repository', 'acme/abca', '--image-digest', 'latest'], /--image-digest must look like sha256/],
  ])('refuses %j with exit 2 and one error line', async (args, message) => {
    // Act
    const r = await runTsx(SCRIPT, [...args, '--dry-run']);
    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('refuses --apply-github with exit 2 when gh is not signed in, before anything is written', async () => {
    // Prepare: a gh whose `auth status` says "not logged in", first on PATH
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-fake-gh-'));
    fs.writeFileSync(path.join(bin, 'gh'), '#!/bin/sh\necho "You are not logged into any GitHub hosts." >&2\nexit 1\n', { mode: 0o755 });
    // Act
    const r = await runTsx(SCRIPT, ['--env', 'dev', '--github-repository', 'acme/abca', '--apply-github'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GH_NOT_READY: --apply-github needs gh installed and signed in (gh auth login)');
    await expect(new S3Client({ region: 'us-east-1' }).send(new HeadBucketCommand({ Bucket: expected.stateBucket }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it('answers --json errors as one JSON document', async () => {
    // Act
    const r = await runTsx(SCRIPT, ['--env', 'dev', '--github-repository', 'acme', '--dry-run', '--json']);
    // Assess
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
  });
});
