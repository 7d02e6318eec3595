/**
 * The minimal agent: a deterministic plan of what it would do for a task, checked against the
 * repository's limits. No model is called (the runtime has no egress to a model here); the same
 * task and config always give the same answer, which is what tests and the smoke check need.
 */
import type { TaskConfig } from './invocation';

export interface PlanStep {
  step: number;
  kind: 'clone' | 'read' | 'edit' | 'test' | 'build' | 'lint' | 'pull_request';
  detail: string;
}

export interface TaskRequest {
  task_id: string;
  repo: string;
  description: string;
  config: TaskConfig;
  /** Whether the invocation carried a GitHub token (the token itself never reaches the plan). */
  github_token_received?: boolean;
}

export type TaskOutcome =
  | {
      status: 'completed';
      task_id: string;
      repo: string;
      model_id: string;
      summary: string;
      plan: PlanStep[];
      turns_used: number;
      /** The pull request this plan ends with (no model runs here: a deterministic placeholder number). */
      pr_url: string;
    }
  | { status: 'failed'; task_id: string; repo: string; model_id: string; reason: string; plan: PlanStep[] };

function headline(description: string): string {
  const first = description.trim().split('\n')[0]!.trim();
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

export function planSteps(task: TaskRequest): PlanStep[] {
  const steps: Omit<PlanStep, 'step'>[] = [
    { kind: 'clone', detail: `clone https://github.com/${task.repo}` },
    { kind: 'read', detail: `read the code that "${headline(task.description)}" touches` },
    { kind: 'edit', detail: 'change the code to do what the task asks' },
  ];
  if (/\btests?\b|\bspec\b/i.test(task.description)) steps.push({ kind: 'test', detail: 'add or update the tests the task asks for' });
  if (task.config.build_command) steps.push({ kind: 'build', detail: `run \`${task.config.build_command}\`` });
  if (task.config.lint_command) steps.push({ kind: 'lint', detail: `run \`${task.config.lint_command}\`` });
  steps.push({ kind: 'pull_request', detail: `open a pull request on ${task.repo}` });
  return steps.map((s, i) => ({ step: i + 1, ...s }));
}

/** One turn per step: a plan that needs more turns than the repository allows fails, with the reason. */
export function runTask(task: TaskRequest): TaskOutcome {
  const plan = planSteps(task);
  const base = { task_id: task.task_id, repo: task.repo, model_id: task.config.model_id };
  if (plan.length > task.config.max_turns) {
    return {
      ...base,
      status: 'failed',
      reason: `the plan needs ${plan.length} turns but max_turns for ${task.repo} is ${task.config.max_turns}`,
      plan,
    };
  }
  return {
    ...base,
    status: 'completed',
    summary: `planned ${plan.length} steps for ${task.repo}: ${headline(task.description)}`,
    plan,
    turns_used: plan.length,
    pr_url: `https://github.com/${task.repo}/pull/${prNumber(task.task_id)}`,
  };
}

/** 1-9999, the same for the same task. */
function prNumber(taskId: string): number {
  let h = 0;
  for (const c of taskId) h = (h * 31 + c.charCodeAt(0)) % 9999;
  return h + 1;
}
