/**
 * The payloads POST /invocations accepts. The agent image ships on its own cadence (per merge),
 * the control plane on another (infra deploys), so parsing is strict about what the agent needs
 * and tolerant of fields it does not know: a newer orchestrator must not break an older image.
 *
 * Two forms: upstream ABCA's envelope `{"input": {...}}` (docs/agent-contract.md §2: task_id,
 * repo_url, prompt, model_id, max_turns, ...; `action` is this agent's extra), and the flat form
 * of control planes before that contract (`{action, task_id, repo, description, config}`).
 */

export interface TaskConfig {
  model_id: string;
  max_turns: number;
  max_budget_usd?: number;
  system_prompt_overrides?: string;
  build_command?: string;
  lint_command?: string;
  egress_allowlist?: string[];
  cedar_policies?: string[];
  approval_gate_cap?: number;
}

export type Invocation = (
  | { action: 'ping' }
  | { action: 'version' }
  | { action: 'status'; task_id: string }
  | { action: 'run_task'; task_id: string; repo: string; description: string; config: TaskConfig; user_id?: string; github_token?: string }
) & {
  /** Which form it came in: the answer comes back in the same one. */
  envelope?: boolean;
};

export class BadInvocation extends Error {
  override readonly name = 'BadInvocation';
}

/** What upstream answers when required fields are missing: 400 TASK_RECORD_INCOMPLETE with the list. */
export class IncompleteInvocation extends Error {
  override readonly name = 'IncompleteInvocation';
  constructor(readonly missing: string[]) {
    super(`the task record is missing required fields: ${missing.join(', ')}`);
  }
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, max: number, where = ''): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new BadInvocation(`${where}${key} must be a string of 1-${max} characters`);
  return v;
}

function optStr(o: Obj, key: string, max: number, where: string): string | undefined {
  return o[key] === undefined || o[key] === null ? undefined : str(o, key, max, where);
}

function optNum(o: Obj, key: string, where: string, integer = false): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new BadInvocation(`${where}${key} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

function optStrings(o: Obj, key: string, where: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new BadInvocation(`${where}${key} must be a list of strings`);
  return v as string[];
}

const REPO = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

/** Upstream's `input`: its field names, its defaults (max_turns 100; max_budget_usd 0 = none). */
function parseEnvelope(input: Obj): Invocation {
  const action = input.action ?? 'run_task';
  if (action === 'ping' || action === 'version') return { action, envelope: true };
  if (action === 'status') return { action, task_id: str(input, 'task_id', 256), envelope: true };
  if (action !== 'run_task') throw new BadInvocation(`unknown action "${String(action)}" (ping, version, status, run_task)`);
  const prompt = input.prompt ?? input.task_description;
  const missing = [
    ...(typeof input.task_id === 'string' && input.task_id ? [] : ['task_id']),
    ...(typeof input.repo_url === 'string' && input.repo_url ? [] : ['repo_url']),
    ...(typeof prompt === 'string' && prompt ? [] : ['prompt']),
    // Upstream falls back to a model of its own; this double insists the platform names one.
    ...(typeof (input.model_id ?? input.anthropic_model) === 'string' ? [] : ['model_id']),
  ];
  if (missing.length) throw new IncompleteInvocation(missing);
  const repo = str(input, 'repo_url', 140);
  if (!REPO.test(repo)) throw new BadInvocation('repo_url must be "owner/name"');
  const budget = input.max_budget_usd === 0 ? undefined : optNum(input, 'max_budget_usd', '');
  return {
    action: 'run_task',
    envelope: true,
    task_id: str(input, 'task_id', 256),
    repo,
    description: str({ prompt }, 'prompt', 8000),
    config: {
      model_id: str({ model_id: input.model_id ?? input.anthropic_model }, 'model_id', 200),
      max_turns: optNum(input, 'max_turns', '', true) ?? 100,
      max_budget_usd: budget,
      system_prompt_overrides: optStr(input, 'system_prompt_overrides', 16_000, ''),
      build_command: optStr(input, 'build_command', 1024, ''),
      lint_command: optStr(input, 'lint_command', 1024, ''),
      egress_allowlist: optStrings(input, 'egress_allowlist', ''),
      cedar_policies: optStrings(input, 'cedar_policies', ''),
      approval_gate_cap: optNum(input, 'approval_gate_cap', '', true),
    },
    user_id: optStr(input, 'user_id', 256, ''),
    github_token: optStr(input, 'github_token', 4096, ''),
  };
}

export function parseInvocation(body: unknown): Invocation {
  if (!isObject(body)) throw new BadInvocation('the payload must be a JSON object');
  if (isObject(body.input)) return parseEnvelope(body.input);
  const action = body.action ?? 'run_task';
  if (action === 'ping' || action === 'version') return { action };
  if (action === 'status') return { action, task_id: str(body, 'task_id', 256) };
  if (action !== 'run_task') throw new BadInvocation(`unknown action "${String(action)}" (ping, version, status, run_task)`);

  const task_id = str(body, 'task_id', 256);
  const repo = str(body, 'repo', 140);
  if (!REPO.test(repo)) throw new BadInvocation('repo must be "owner/name"');
  const description = str(body, 'description', 8000);
  if (!isObject(body.config)) throw new BadInvocation('config must be an object');
  const c = body.config;
  const where = 'config.';
  const max_turns = optNum(c, 'max_turns', where, true);
  if (max_turns === undefined) throw new BadInvocation('config.max_turns is required');
  return {
    action: 'run_task',
    task_id,
    repo,
    description,
    config: {
      model_id: str(c, 'model_id', 200, where),
      max_turns,
      max_budget_usd: optNum(c, 'max_budget_usd', where),
      system_prompt_overrides: optStr(c, 'system_prompt_overrides', 16_000, where),
      build_command: optStr(c, 'build_command', 1024, where),
      lint_command: optStr(c, 'lint_command', 1024, where),
      egress_allowlist: optStrings(c, 'egress_allowlist', where),
      cedar_policies: optStrings(c, 'cedar_policies', where),
      approval_gate_cap: optNum(c, 'approval_gate_cap', where, true),
    },
  };
}
