/** The onboarding and edit forms' values to API bodies: pure, so what is sent is tested. */
export interface RepoFormValues {
  repo: string;
  model_id: string;
  max_turns: string;
  max_budget_usd: string;
  build_command: string;
  egress_allowlist: string;
}

export const EMPTY_REPO_FORM: RepoFormValues = { repo: '', model_id: '', max_turns: '', max_budget_usd: '', build_command: '', egress_allowlist: '' };

/** Blank fields are left out (the API applies its defaults); numbers stay text when not numbers, so the API names the field. */
export function repoSettingsBody(v: Omit<RepoFormValues, 'repo'>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const num = (s: string) => (s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s.trim());
  if (v.model_id.trim()) body.model_id = v.model_id.trim();
  if (num(v.max_turns) !== undefined) body.max_turns = num(v.max_turns);
  if (num(v.max_budget_usd) !== undefined) body.max_budget_usd = num(v.max_budget_usd);
  if (v.build_command.trim()) body.build_command = v.build_command.trim();
  const egress = v.egress_allowlist
    .split(/[\s,]+/)
    .map((d) => d.trim())
    .filter(Boolean);
  if (egress.length) body.egress_allowlist = egress;
  return body;
}

export function onboardBody(v: RepoFormValues): Record<string, unknown> {
  return { repo: v.repo.trim(), ...repoSettingsBody(v) };
}

/** A PATCH of what changed from the row (JSON merge patch: a cleared field sends null). */
export function patchBody(row: Record<string, unknown>, v: Omit<RepoFormValues, 'repo'>): Record<string, unknown> {
  const next = repoSettingsBody(v);
  const patch: Record<string, unknown> = {};
  for (const key of ['model_id', 'max_turns', 'max_budget_usd', 'build_command', 'egress_allowlist'] as const) {
    const before = row[key];
    const after = next[key];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    patch[key] = after === undefined ? null : after;
  }
  return patch;
}

/** The form as a row shows it. */
export function formFromRow(row: Record<string, unknown>): RepoFormValues {
  const s = (x: unknown) => (x === undefined || x === null ? '' : String(x));
  return {
    repo: s(row.repo),
    model_id: s(row.model_id),
    max_turns: s(row.max_turns),
    max_budget_usd: s(row.max_budget_usd),
    build_command: s(row.build_command),
    egress_allowlist: Array.isArray(row.egress_allowlist) ? row.egress_allowlist.join(', ') : '',
  };
}
