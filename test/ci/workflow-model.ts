/** Loads the workflows and local composite actions, parsed with a real YAML parser. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '../..');
export const WORKFLOW_DIR = path.join(ROOT, '.github/workflows');
export const ACTION_DIR = path.join(ROOT, '.github/actions');

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  shell?: string;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  'runs-on'?: unknown;
  environment?: string | { name: string; url?: string };
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  permissions?: Record<string, string> | string;
  outputs?: Record<string, string>;
  env?: Record<string, unknown>;
  'timeout-minutes'?: number;
  steps?: Step[];
}

export interface Workflow {
  file: string;
  raw: string;
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export interface CompositeAction {
  dir: string;
  file: string;
  raw: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

export function workflowFiles(): string[] {
  return fs
    .readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

export function loadWorkflow(file: string): Workflow {
  const raw = fs.readFileSync(path.join(WORKFLOW_DIR, file), 'utf8');
  return { file, raw, ...(parse(raw) as Omit<Workflow, 'file' | 'raw'>) };
}

export function actionDirs(): string[] {
  return fs
    .readdirSync(ACTION_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function loadAction(dir: string): CompositeAction {
  const file = path.join(ACTION_DIR, dir, 'action.yml');
  const raw = fs.readFileSync(file, 'utf8');
  return { dir, file: `.github/actions/${dir}/action.yml`, raw, ...(parse(raw) as Omit<CompositeAction, 'dir' | 'file' | 'raw'>) };
}

/** `./.github/actions/<dir>` → that action, else undefined. */
export function localAction(uses: string | undefined): CompositeAction | undefined {
  const m = uses?.match(/^\.\/\.github\/actions\/([^/@]+)$/);
  return m ? loadAction(m[1]!) : undefined;
}

/** A job's steps plus, recursively, the steps of the local composite actions it uses. */
export function expandedSteps(steps: Step[] = []): Step[] {
  return steps.flatMap((s) => {
    const local = localAction(s.uses);
    return local ? [s, ...expandedSteps(local.runs.steps)] : [s];
  });
}

/** Every string anywhere inside a value. */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

export function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

export function environmentName(job: Job): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

export function concurrencyOf(job: Job): { group: string; cancel: unknown } | undefined {
  if (job.concurrency === undefined) return undefined;
  if (typeof job.concurrency === 'string') return { group: job.concurrency, cancel: undefined };
  return { group: job.concurrency.group, cancel: job.concurrency['cancel-in-progress'] };
}

export function rolesAssumed(job: Job): string[] {
  return expandedSteps(job.steps)
    .filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))
    .map((s) => String(s.with?.['role-to-assume'] ?? ''));
}
