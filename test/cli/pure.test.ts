/** The CLI's decisions, as pure functions: exit codes, flag parsing, tables, the history join. */
import { CommanderError } from 'commander';
import { ApiError, errorFromResponse, exitCodeForStatus, repoPath } from '../../src/cli/api-client';
import { parseScopes } from '../../src/cli/commands/api-key';
import { repoVerdict } from '../../src/cli/commands/repo';
import { runtimeEnv } from '../../src/cli/commands/runtime';
import { taskVerdict } from '../../src/cli/commands/task';
import { resolveApiUrl } from '../../src/cli/common';
import { parseClientConfig, sessionState, type Credentials } from '../../src/cli/config';
import { joinHistory, parseDescription } from '../../src/cli/history';
import { buildProgram, networkError, usageError } from '../../src/cli/main';
import { cell, Output, renderFields, renderTable } from '../../src/cli/output';
import { onboardBody, parseRepoId, patchBody, SETTING_FLAGS, settingsFromFlags } from '../../src/cli/repo-flags';
import { credentialsFrom, jwtClaims } from '../../src/cli/auth';
import { RepoSettingsShape } from '../../src/repos/repo-config';
import type { RuntimeAuditEvent } from '../../src/runtime/audit';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('exit codes and API errors', () => {
  it.each([
    [400, 2],
    [401, 2],
    [403, 2],
    [404, 2],
    [413, 2],
    [422, 2],
    [409, 3],
    [412, 3],
    [429, 1],
    [500, 1],
    [502, 1],
    [503, 1],
  ])('HTTP %i exits %i', (status, code) => {
    // Act / Assess
    expect(exitCodeForStatus(status)).toBe(code);
  });

  it("keeps the API's code and message, and the status, from {error:{code,message}}", () => {
    // Act
    const e = errorFromResponse(422, { error: { code: 'REPO_NOT_ONBOARDED', message: 'acme/x is not active', field: 'repo' } }, '');
    // Assess
    expect(e).toBeInstanceOf(ApiError);
    expect([e.code, e.message, e.status, e.exitCode]).toEqual(['REPO_NOT_ONBOARDED', 'acme/x is not active', 422, 2]);
    expect(e.toJSON()).toEqual({ code: 'REPO_NOT_ONBOARDED', message: 'acme/x is not active', details: { status: 422, field: 'repo' } });
  });

  it("names API Gateway's and proxies' answers by status when they carry no error code", () => {
    // Act
    const gw = errorFromResponse(401, { message: 'Unauthorized' }, '{"message":"Unauthorized"}');
    const html = errorFromResponse(502, undefined, '<html>Bad Gateway</html>\n<body/>');
    // Assess
    expect([gw.code, gw.message, gw.exitCode]).toEqual(['UNAUTHORIZED', 'Unauthorized', 2]);
    expect([html.code, html.message, html.exitCode]).toEqual(['SERVER_ERROR', '<html>Bad Gateway</html>', 1]);
  });

  it('a network failure (status 0) is a failure, exit 1', () => {
    // Act / Assess
    expect(new ApiError(0, 'NETWORK', 'cannot reach').exitCode).toBe(1);
  });

  it('encodes owner and name as path segments', () => {
    // Act / Assess
    expect(repoPath('acme/my.repo')).toBe('/v1/repos/acme/my.repo');
    expect(repoPath('a?b/c#d')).toBe('/v1/repos/a%3Fb/c%23d');
  });

  it('an SDK connection failure becomes NETWORK (exit 1); other errors are left alone', () => {
    // Act
    const refused = networkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    // Assess
    expect(refused).toMatchObject({ code: 'NETWORK', exitCode: 1 });
    expect(refused!.message).toContain('connect ECONNREFUSED 127.0.0.1:9');
    expect(networkError(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))).toBeUndefined();
  });

  it("commander's refusals are usage errors (2); help and version are not errors", () => {
    // Act
    const unknown = usageError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"));
    // Assess
    expect(unknown).toMatchObject({ code: 'VALIDATION_ERROR', exitCode: 2, message: "unknown option '--x' (see --help)" });
    expect(usageError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBeUndefined();
    expect(usageError(new CommanderError(0, 'commander.version', '0.1.0'))).toBeUndefined();
  });
});

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

describe('scopes, waits and environment resolution', () => {
  it('scopes: repeated or comma-separated, each once; unknown ones refused', () => {
    // Act / Assess
    expect(parseScopes(['repos:read,repos:write', 'repos:read'])).toEqual(['repos:read', 'repos:write']);
    expect(() => parseScopes(['repos:admin'])).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => parseScopes(undefined)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('repo wait: active ends it, failed fails with its reason (exit 1), provisioning goes on', () => {
    // Prepare
    const row = (status: string, status_reason?: string) => ({ repo: 'acme/w', status, status_reason }) as never;
    // Act
    const failed = repoVerdict(row('failed', 'secret not found'));
    // Assess
    expect(repoVerdict(row('active'))).toEqual({ done: true, value: row('active') });
    expect(repoVerdict(row('provisioning'))).toEqual({ done: false, text: 'acme/w: provisioning' });
    expect(failed.done && 'error' in failed && failed.error).toMatchObject({
      code: 'PROVISIONING_FAILED',
      exitCode: 1,
      message: 'acme/w: provisioning failed: secret not found',
    });
  });

  it('task watch: COMPLETED ends it, FAILED and CANCELLED fail (exit 1), SUBMITTED and RUNNING go on', () => {
    // Prepare
    const t = (status: string) => ({ task_id: 't1', repo: 'acme/w', status });
    // Act / Assess
    expect(taskVerdict(t('COMPLETED'))).toMatchObject({ done: true, value: t('COMPLETED') });
    expect(taskVerdict(t('RUNNING'))).toMatchObject({ done: false });
    expect(taskVerdict(t('SUBMITTED'))).toMatchObject({ done: false });
    for (const s of ['FAILED', 'CANCELLED']) {
      const v = taskVerdict(t(s));
      expect(v.done && 'error' in v && v.error).toMatchObject({ code: `TASK_${s}`, exitCode: 1 });
    }
  });

  it('API URL: flag, then ABCA_API_URL, then the configured one; none is a usage error', () => {
    // Prepare
    const config = { env: 'dev', region: 'r', apiUrl: 'https://configured', userPoolId: 'p', userPoolClientId: 'c' };
    // Act / Assess
    expect(resolveApiUrl('http://flag', { ABCA_API_URL: 'http://env' }, config)).toBe('http://flag');
    expect(resolveApiUrl(undefined, { ABCA_API_URL: 'http://env' }, config)).toBe('http://env');
    expect(resolveApiUrl(undefined, {}, config)).toBe('https://configured');
    expect(() => resolveApiUrl(undefined, {}, undefined)).toThrow(expect.objectContaining({ code: 'NOT_CONFIGURED', exitCode: 2 }));
    expect(() => resolveApiUrl('ftp://x', {}, undefined)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('runtime env: flag, then ABCA_ENV, then the configured one, then dev', () => {
    // Act / Assess
    expect(runtimeEnv('a', { ABCA_ENV: 'b' }, 'c')).toBe('a');
    expect(runtimeEnv(undefined, { ABCA_ENV: 'b' }, 'c')).toBe('b');
    expect(runtimeEnv(undefined, {}, 'c')).toBe('c');
    expect(runtimeEnv(undefined, {}, undefined)).toBe('dev');
    expect(() => runtimeEnv('Bad_Env', {}, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_ENV' }));
  });
});

describe('client config and session', () => {
  const creds = (over: Partial<Credentials> = {}): Credentials => ({
    env: 'dev',
    userPoolClientId: 'c1',
    username: 'u',
    accessToken: 'a',
    refreshToken: 'r',
    expiresAt: new Date(1_000_000).toISOString(),
    ...over,
  });

  it('session: fresh until a minute before expiry, then refresh; another pool is another env', () => {
    // Act / Assess
    const config = { env: 'dev', userPoolClientId: 'c1' };
    expect(sessionState(undefined, config, 0)).toBe('none');
    expect(sessionState(creds(), config, 1_000_000 - 61_000)).toBe('fresh');
    expect(sessionState(creds(), config, 1_000_000 - 59_000)).toBe('refresh');
    expect(sessionState(creds({ userPoolClientId: 'other' }), config, 0)).toBe('other-env');
    expect(sessionState(creds({ expiresAt: 'garbage' }), config, 0)).toBe('refresh');
  });

  it('a refresh answer keeps the old refresh token and moves the expiry', () => {
    // Act
    const next = credentialsFrom({ AccessToken: 'a2', IdToken: 'i2', ExpiresIn: 3600 }, creds(), 5_000);
    // Assess
    expect(next).toEqual({ ...creds(), accessToken: 'a2', idToken: 'i2', refreshToken: 'r', expiresAt: new Date(5_000 + 3_600_000).toISOString() });
  });

  it('a config document missing fields names them', () => {
    // Act / Assess
    expect(() => parseClientConfig({ env: 'dev', region: 'r' }, 'config.json')).toThrow('config.json is missing apiUrl, userPoolId, userPoolClientId');
  });

  it('reads JWT claims without verifying', () => {
    // Prepare
    const token = ['x', Buffer.from(JSON.stringify({ username: 'u', 'cognito:groups': ['admin'] })).toString('base64url'), 'sig'].join('.');
    // Act / Assess
    expect(jwtClaims(token)).toEqual({ username: 'u', 'cognito:groups': ['admin'] });
    expect(jwtClaims('not-a-jwt')).toEqual({});
  });
});

describe('rendering', () => {
  it('tables align columns, show "-" for nothing, join lists and cut long cells', () => {
    // Act
    const text = renderTable(
      [
        { a: 'x', b: ['p', 'q'] },
        { a: 'longer', b: undefined },
        { a: 'z'.repeat(10), b: [] },
      ],
      [
        { header: 'A', value: (r) => r.a, max: 8 },
        { header: 'BEE', value: (r) => r.b },
      ],
    );
    // Assess
    expect(text.split('\n')).toEqual(['A         BEE', 'x         p,q', 'longer    -', 'zzzzzzz…  -']);
    expect(renderTable([], [{ header: 'A', value: () => 1 }])).toBe('(none)');
  });

  it('cells flatten whitespace and objects; fields align keys and leave undefined out', () => {
    // Act / Assess
    expect(cell('a\n b')).toBe('a b');
    expect(cell({ k: 1 })).toBe('{"k":1}');
    expect(
      renderFields([
        ['a', 1],
        ['long', 'x'],
        ['skip', undefined],
      ]),
    ).toBe('a     1\nlong  x');
    expect(
      renderFields([
        ['k', 1],
        ['doc', '{\n  "a": 1\n}\n'],
      ]),
    ).toBe('k    1\ndoc\n    {\n      "a": 1\n    }');
  });

  it('--json writes one document to stdout; progress and warnings go to stderr, one line per change when not a TTY', () => {
    // Prepare
    let stdout = '';
    let stderr = '';
    const out = new Output(true, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s), isTTY: false });
    // Act
    const p = out.progress('acme/w: provisioning');
    p.update('acme/w: provisioning', '(1 s)');
    p.update('acme/w: provisioning', '(2 s)');
    p.update('acme/w: active', '(3 s)');
    p.stop();
    out.warn('careful');
    out.result({ a: 1 }, () => 'human');
    // Assess
    expect(JSON.parse(stdout)).toEqual({ a: 1 });
    expect(stderr).toBe('… acme/w: provisioning\n… acme/w: active\nwarning: careful\n');
  });

  it('every command has --help with an example and --json', () => {
    // Prepare
    const leaves: { name: string; help: string; options: string[] }[] = [];
    const walk = (cmd: ReturnType<typeof buildProgram>, prefix: string) => {
      for (const sub of cmd.commands) {
        const name = `${prefix} ${sub.name()}`.trim();
        if (sub.commands.length) walk(sub, name);
        else {
          let help = '';
          sub.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
          sub.outputHelp();
          leaves.push({ name, help, options: sub.options.map((o) => o.long ?? '') });
        }
      }
    };
    // Act
    walk(buildProgram(), '');
    // Assess
    expect(leaves.map((l) => l.name).sort()).toEqual(
      [
        'api-key create',
        'api-key list',
        'api-key revoke',
        'configure',
        'login',
        'logout',
        'repo list',
        'repo onboard',
        'repo remove',
        'repo set-token',
        'repo show',
        'repo update',
        'runtime history',
        'runtime promote',
        'runtime publish',
        'runtime reapply',
        'runtime rollback',
        'runtime status',
        'submit',
        'task cancel',
        'task list',
        'task status',
        'task watch',
        'whoami',
      ].sort(),
    );
    for (const leaf of leaves) {
      expect([leaf.name, /Examples?:\n {2}\$ .*bgagent /.test(leaf.help)]).toEqual([leaf.name, true]);
      expect([leaf.name, leaf.options.includes('--json')]).toEqual([leaf.name, true]);
    }
  });
});

describe('runtime history join', () => {
  const event = (over: Partial<RuntimeAuditEvent>): RuntimeAuditEvent => ({
    stream: 'runtime#dev',
    event_id: `${over.at}#0000`,
    at: '2025-01-01T00:00:00.000Z',
    action: 'publish',
    actor: 'ci',
    to_digest: digest('a'),
    outcome: 'succeeded',
    ...over,
  });

  it('joins SSM versions with their audit, newest first; versions without one fall back to the description', () => {
    // Prepare
    const versions = [
      {
        Version: 1,
        Value: digest('0'),
        Labels: [],
        Description: 'bootstrap: first image',
        LastModifiedDate: new Date('2025-01-01T00:00:00Z'),
        LastModifiedUser: 'arn:x',
      },
      {
        Version: 2,
        Value: digest('a'),
        Labels: ['previous'],
        Description: 'by=ci; action=publish; commit=abc',
        LastModifiedDate: new Date('2025-01-02T00:00:00Z'),
      },
      {
        Version: 3,
        Value: digest('b'),
        Labels: ['live'],
        Description: 'by=bob@local; action=publish; from=x; commit=def; reason=hotfix',
        LastModifiedDate: new Date('2025-01-03T00:00:00Z'),
      },
    ];
    const events = [
      event({ at: '2025-01-02T00:00:05.000Z', pointer_version: 2, git_commit: 'abc', actor: 'github:alice@acme/abca' }),
      event({ at: '2025-01-05T00:00:00.000Z', action: 'reapply', pointer_version: 2, outcome: 'repaired', actor: 'cr' }),
    ];
    // Act
    const entries = joinHistory(versions, events);
    // Assess
    expect(entries.map((e) => [e.version, e.action, e.actor, e.git_commit, e.outcome, e.events.length])).toEqual([
      [3, 'publish', 'bob@local', 'def', undefined, 0],
      [2, 'publish', 'github:alice@acme/abca', 'abc', 'succeeded', 2],
      [1, undefined, 'arn:x', undefined, undefined, 0],
    ]);
    expect(entries[0]).toMatchObject({ at: '2025-01-03T00:00:00.000Z', reason: 'hotfix', labels: ['live'], in_ssm: true });
  });

  it('lists audit events whose version aged out of SSM, and attempts that never wrote a version', () => {
    // Prepare: SSM holds only version 150; the audit remembers 7 and a refused attempt
    const versions = [{ Version: 150, Value: digest('c'), Labels: ['live'], LastModifiedDate: '2025-03-01T00:00:00.000Z' }];
    const events = [
      event({ at: '2025-01-01T00:00:00.000Z', pointer_version: 7, to_digest: digest('7'), git_commit: 'old' }),
      event({ at: '2025-02-01T00:00:00.000Z', to_digest: digest('r'), outcome: 'refused', error: 'LOCK_HELD: held by ci' }),
      event({ at: '2025-03-01T00:00:01.000Z', pointer_version: 150, to_digest: digest('c') }),
    ];
    // Act
    const entries = joinHistory(versions, events);
    // Assess
    expect(entries.map((e) => [e.version, e.digest, e.in_ssm, e.outcome])).toEqual([
      [150, digest('c'), true, 'succeeded'],
      [undefined, digest('r'), false, 'refused'],
      [7, digest('7'), false, 'succeeded'],
    ]);
    expect(entries[1]!.error).toBe('LOCK_HELD: held by ci');
    expect(joinHistory(versions, events, 2)).toHaveLength(2);
  });

  it('parses the publisher description format', () => {
    // Act / Assess
    expect(parseDescription('by=a@b; action=rollback; from=sha256:1; reason=x=y')).toEqual({ by: 'a@b', action: 'rollback', from: 'sha256:1', reason: 'x=y' });
    expect(parseDescription(undefined)).toEqual({});
  });
});
