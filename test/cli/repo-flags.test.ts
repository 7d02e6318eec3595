/** RepoConfig flags: one per settable field, parsed into the onboard and patch bodies. */
import { onboardBody, parseRepoId, patchBody, SETTING_FLAGS, settingsFromFlags } from '../../src/cli/repo-flags';
import { RepoSettingsShape } from '../../src/repos/repo-config';

describe('RepoConfig flags', () => {
  const files: Record<string, string> = { 'p1.cedar': 'permit(principal, action, resource);', 'prompt.txt': 'Be brief.\n' };
  const read = (f: string) => {
    if (!(f in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return files[f]!;
  };

  it('there is a flag for every settable RepoConfig field', () => {
    // Act
    const covered = new Set(SETTING_FLAGS.map((f) => f.field));
    // Assess
    expect([...covered].sort()).toEqual(Object.keys(RepoSettingsShape).sort());
  });

  it('parses numbers, lists and files into snake_case fields', () => {
    // Act
    const settings = settingsFromFlags(
      {
        computeType: 'agentcore',
        modelId: 'm1',
        maxTurns: '40',
        maxBudgetUsd: '2.5',
        pollIntervalMs: '60000',
        approvalGateCap: '3',
        egressAllowlist: ['pypi.org, files.pythonhosted.org', 'api.github.com'],
        cedarPolicy: ['forbid(principal, action, resource);'],
        cedarPolicyFile: ['p1.cedar'],
        systemPromptFile: 'prompt.txt',
        buildCommand: 'npm run build',
      },
      read,
    );
    // Assess
    expect(settings).toEqual({
      compute_type: 'agentcore',
      model_id: 'm1',
      max_turns: 40,
      max_budget_usd: 2.5,
      poll_interval_ms: 60000,
      approval_gate_cap: 3,
      egress_allowlist: ['pypi.org', 'files.pythonhosted.org', 'api.github.com'],
      cedar_policies: ['forbid(principal, action, resource);', 'permit(principal, action, resource);'],
      system_prompt_overrides: 'Be brief.\n',
      build_command: 'npm run build',
    });
  });

  it('an empty --egress-allowlist and --clear-cedar-policies clear the lists', () => {
    // Act / Assess
    expect(settingsFromFlags({ egressAllowlist: [''], clearCedarPolicies: true }, read)).toEqual({ egress_allowlist: [], cedar_policies: [] });
  });

  it.each([
    [{ maxTurns: '4.5' }, 'VALIDATION_ERROR', '--max-turns must be an integer, got "4.5"'],
    [{ maxBudgetUsd: 'ten' }, 'VALIDATION_ERROR', '--max-budget-usd must be a number, got "ten"'],
    [{ pollIntervalMs: '' }, 'VALIDATION_ERROR', '--poll-interval-ms must be an integer, got ""'],
    [{ cedarPolicyFile: ['missing.cedar'] }, 'VALIDATION_ERROR', '--cedar-policy-file: cannot read missing.cedar: ENOENT'],
    [{ systemPromptOverrides: 'x', systemPromptFile: 'prompt.txt' }, 'VALIDATION_ERROR', 'give --system-prompt-overrides or --system-prompt-file, not both'],
    [{ cedarPolicy: ['x'], clearCedarPolicies: true }, 'VALIDATION_ERROR', 'give --clear-cedar-policies or --cedar-policy/--cedar-policy-file, not both'],
  ])('refuses %p (exit 2)', (flags, code, message) => {
    // Act / Assess
    expect(() => settingsFromFlags(flags, read)).toThrow(expect.objectContaining({ code, message, exitCode: 2 }));
  });

  it('onboard body: file fields, then flags, for the named repository; a file naming another one is refused', () => {
    // Act / Assess
    expect(onboardBody('acme/w', { max_turns: 5, model_id: 'a' }, { model_id: 'b' })).toEqual({ repo: 'acme/w', max_turns: 5, model_id: 'b' });
    expect(() => onboardBody('acme/w', { repo: 'acme/other' }, {})).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('patch body drops repo and needs at least one field', () => {
    // Act / Assess
    expect(patchBody({ repo: 'acme/w', max_turns: 5 }, {})).toEqual({ max_turns: 5 });
    expect(() => patchBody(undefined, {})).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', exitCode: 2 }));
  });

  it.each(['acme', 'acme/', '/w', 'a/b/c', 'a b/c'])('"%s" is not owner/repo', (id) => {
    // Act / Assess
    expect(() => parseRepoId(id)).toThrow(expect.objectContaining({ code: 'INVALID_REPO', exitCode: 2 }));
  });
});
