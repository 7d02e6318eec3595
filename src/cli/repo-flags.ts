/**
 * Flags ↔ RepoConfig settings: one table names the flag of every settable field, how its text is
 * parsed, and its help line. Parsing is pure (file reads are passed in) and refuses bad numbers
 * before anything is sent; the API validates everything else.
 */
import { ValidationError } from '../errors';
import type { RepoConfigInput, RepoSettings } from '../repos/repo-config';

type Kind = 'string' | 'int' | 'number' | 'list' | 'file';
type SettingField = keyof RepoSettings;

export interface SettingFlag {
  /** Commander flag spec, e.g. `--max-turns <n>`. */
  flag: string;
  /** Commander's camelCase option key. */
  key: string;
  field: SettingField;
  kind: Kind;
  help: string;
  repeatable?: boolean;
}

export const SETTING_FLAGS: readonly SettingFlag[] = [
  { flag: '--compute-type <type>', key: 'computeType', field: 'compute_type', kind: 'string', help: 'compute type (agentcore)' },
  { flag: '--runtime-arn <arn>', key: 'runtimeArn', field: 'runtime_arn', kind: 'string', help: 'AgentCore runtime ARN (default: the platform runtime)' },
  { flag: '--model-id <id>', key: 'modelId', field: 'model_id', kind: 'string', help: 'Bedrock model id (from the allowed list)' },
  { flag: '--max-turns <n>', key: 'maxTurns', field: 'max_turns', kind: 'int', help: 'agent turns per task (1-500)' },
  { flag: '--max-budget-usd <usd>', key: 'maxBudgetUsd', field: 'max_budget_usd', kind: 'number', help: 'budget per task in USD (0.01-100)' },
  {
    flag: '--system-prompt-overrides <text>',
    key: 'systemPromptOverrides',
    field: 'system_prompt_overrides',
    kind: 'string',
    help: 'extra system prompt text',
  },
  {
    flag: '--system-prompt-file <file>',
    key: 'systemPromptFile',
    field: 'system_prompt_overrides',
    kind: 'file',
    help: 'extra system prompt, read from a file',
  },
  {
    flag: '--github-token-secret-arn <arn>',
    key: 'githubTokenSecretArn',
    field: 'github_token_secret_arn',
    kind: 'string',
    help: 'Secrets Manager ARN of the GitHub token (under the platform prefix)',
  },
  { flag: '--poll-interval-ms <ms>', key: 'pollIntervalMs', field: 'poll_interval_ms', kind: 'int', help: 'GitHub poll interval in ms (1000-3600000)' },
  { flag: '--build-command <cmd>', key: 'buildCommand', field: 'build_command', kind: 'string', help: 'build command the agent runs' },
  { flag: '--lint-command <cmd>', key: 'lintCommand', field: 'lint_command', kind: 'string', help: 'lint command the agent runs' },
  {
    flag: '--egress-allowlist <domains>',
    key: 'egressAllowlist',
    field: 'egress_allowlist',
    kind: 'list',
    repeatable: true,
    help: 'domains the agent may reach, comma-separated or repeated ("" for none)',
  },
  { flag: '--cedar-policy <text>', key: 'cedarPolicy', field: 'cedar_policies', kind: 'list', repeatable: true, help: 'a Cedar policy set (repeatable)' },
  {
    flag: '--cedar-policy-file <file>',
    key: 'cedarPolicyFile',
    field: 'cedar_policies',
    kind: 'file',
    repeatable: true,
    help: 'a Cedar policy set read from a file (repeatable)',
  },
  { flag: '--approval-gate-cap <n>', key: 'approvalGateCap', field: 'approval_gate_cap', kind: 'int', help: 'approval gates per task (1-500)' },
];

/** Options that are not RepoConfig fields themselves but shape the settings. */
export const CLEAR_CEDAR_FLAG = { flag: '--clear-cedar-policies', key: 'clearCedarPolicies', help: 'set cedar_policies to [] (update)' };
export const FROM_FILE_FLAG = { flag: '--from-file <file>', key: 'fromFile', help: 'JSON document with RepoConfig fields; flags override it' };

export type FlagValues = Record<string, unknown>;

function number(flag: string, raw: unknown, integer: boolean): number {
  const text = String(raw).trim();
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new ValidationError(`${flag} must be ${integer ? 'an integer' : 'a number'}, got "${String(raw)}"`, 'VALIDATION_ERROR');
  }
  return n;
}

const flagName = (spec: SettingFlag) => spec.flag.split(' ')[0]!;
const values = (raw: unknown): string[] => (Array.isArray(raw) ? raw.map(String) : [String(raw)]);

/** Pure: the settings the flags name (fields not given are left out). */
export function settingsFromFlags(flags: FlagValues, readFile: (file: string) => string): RepoSettings {
  const out: Record<string, unknown> = {};
  const seen = new Map<SettingField, string>();
  const claim = (spec: SettingFlag) => {
    const other = seen.get(spec.field);
    // Two flags of one list field combine; two flags of one scalar field contradict.
    if (other && other !== flagName(spec) && !spec.repeatable) {
      throw new ValidationError(`give ${other} or ${flagName(spec)}, not both`, 'VALIDATION_ERROR');
    }
    seen.set(spec.field, flagName(spec));
  };
  for (const spec of SETTING_FLAGS) {
    const raw = flags[spec.key];
    if (raw === undefined) continue;
    claim(spec);
    switch (spec.kind) {
      case 'string':
        out[spec.field] = String(raw);
        break;
      case 'int':
      case 'number':
        out[spec.field] = number(flagName(spec), raw, spec.kind === 'int');
        break;
      case 'list': {
        const items =
          spec.field === 'egress_allowlist'
            ? values(raw)
                .flatMap((v) => v.split(','))
                .map((v) => v.trim())
                .filter(Boolean)
            : values(raw);
        out[spec.field] = [...((out[spec.field] as string[] | undefined) ?? []), ...items];
        break;
      }
      case 'file': {
        const texts = values(raw).map((file) => {
          try {
            return readFile(file);
          } catch (e) {
            throw new ValidationError(
              `${flagName(spec)}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
              'VALIDATION_ERROR',
            );
          }
        });
        out[spec.field] = spec.repeatable ? [...((out[spec.field] as string[] | undefined) ?? []), ...texts] : texts[0];
        break;
      }
    }
  }
  if (flags[CLEAR_CEDAR_FLAG.key]) {
    if (out.cedar_policies) throw new ValidationError('give --clear-cedar-policies or --cedar-policy/--cedar-policy-file, not both', 'VALIDATION_ERROR');
    out.cedar_policies = [];
  }
  return out as RepoSettings;
}

/** Pure: `owner/repo`, checked just enough to build a safe path; the API checks the rest. */
export function parseRepoId(repo: string): string {
  const parts = repo.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1] || /\s/.test(repo)) {
    throw new ValidationError(`repository must be "owner/repo", got "${repo}"`, 'INVALID_REPO');
  }
  return repo;
}

/** Pure: the POST body — the file's fields (if any), then the flags, for `repo`. */
export function onboardBody(repo: string, fromFile: Record<string, unknown> | undefined, settings: RepoSettings): RepoConfigInput {
  if (fromFile?.repo !== undefined && fromFile.repo !== repo) {
    throw new ValidationError(`--from-file names repository "${String(fromFile.repo)}", the argument is "${repo}"`, 'VALIDATION_ERROR');
  }
  return { ...(fromFile ?? {}), ...settings, repo } as RepoConfigInput;
}

/** Pure: the PATCH body — the file's fields (without `repo`), then the flags; at least one. */
export function patchBody(fromFile: Record<string, unknown> | undefined, settings: RepoSettings): RepoSettings {
  const { repo: _repo, ...fileSettings } = fromFile ?? {};
  const patch = { ...fileSettings, ...settings } as RepoSettings;
  if (Object.keys(patch).length === 0) throw new ValidationError('nothing to update: give at least one setting flag (see --help)', 'VALIDATION_ERROR');
  return patch;
}

export function parseJsonFile(file: string, text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError(`${file} is not valid JSON`, 'VALIDATION_ERROR');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new ValidationError(`${file} must hold a JSON object of RepoConfig fields`, 'VALIDATION_ERROR');
  return json as Record<string, unknown>;
}
