/** `bgagent login | logout | whoami`: the Cognito session the API commands use. */
import type { Command } from 'commander';
import { awsErrorName } from '../../aws/errors';
import { OperationFailedError, ValidationError } from '../../errors';
import { API_KEY_ENV, jwtClaims, login, revokeSession } from '../auth';
import { configDir, credentialsPath, deleteCredentials, readConfig, readCredentials, sessionState, writeCredentials } from '../config';
import { API_URL_ENV, chompLine, examples, output, promptHidden, readStdin, withJson, type JsonOpts } from '../common';
import { renderFields } from '../output';

interface LoginOpts extends JsonOpts {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  newPasswordStdin?: boolean;
}

export function loginCommands(program: Command): void {
  const loginCmd = program
    .command('login')
    .description('Sign in with a Cognito user (SRP: the password is proven, never sent); the session is stored with mode 0600 and refreshed before it expires')
    .option('--username <name>', 'Cognito user name')
    .option('--password-stdin', 'read the password from stdin')
    .option('--new-password-stdin', 'first sign-in with a temporary password: stdin holds two lines, the temporary password then the new one')
    .option('--password <password>', 'the password (visible to other processes and in shell history: prefer --password-stdin)');
  withJson(loginCmd);
  examples(
    loginCmd,
    'bgagent login --username admin --password-stdin < password.txt',
    'jq -r .password .abca/local/admin.json | bgagent login --username admin --password-stdin',
    'printf \'%s\\n%s\\n\' "$TEMP" "$NEW" | bgagent login --username ada --new-password-stdin',
  );
  loginCmd.action(async (opts: LoginOpts) => {
    const out = output(opts);
    const dir = configDir();
    const config = readConfig(dir);
    if (!config) throw new ValidationError('not configured: run "bgagent configure --env <env>" first', 'NOT_CONFIGURED');
    if (opts.password !== undefined && opts.passwordStdin) throw new ValidationError('give --password or --password-stdin, not both', 'VALIDATION_ERROR');
    const username = opts.username ?? (process.stdin.isTTY ? await promptLine('username: ') : undefined);
    if (!username) throw new ValidationError('--username is required', 'VALIDATION_ERROR');
    let password: string;
    let newPassword: string | undefined;
    if (opts.newPasswordStdin) {
      if (opts.password !== undefined || opts.passwordStdin)
        throw new ValidationError('--new-password-stdin reads both passwords from stdin: drop --password/--password-stdin', 'VALIDATION_ERROR');
      [password = '', newPassword = ''] = (await readStdin()).split(/\r?\n/);
      if (!newPassword) throw new ValidationError('--new-password-stdin: the second line of stdin (the new password) is empty', 'VALIDATION_ERROR');
    } else if (opts.passwordStdin) password = chompLine(await readStdin());
    else if (opts.password !== undefined) {
      out.warn('a password on the command line is visible to other processes and kept in shell history; use --password-stdin');
      password = opts.password;
    } else password = await promptHidden('password: ');
    if (!password) throw new ValidationError('empty password', 'VALIDATION_ERROR');
    let creds;
    try {
      creds = await login(config, username, password, Date.now, newPassword);
    } catch (e) {
      // First sign-in on a terminal: ask for the new password there and then.
      if (!(e instanceof ValidationError && e.code === 'AUTH_CHALLENGE' && newPassword === undefined && process.stdin.isTTY && /temporary/.test(e.message)))
        throw e;
      const chosen = await promptHidden('new password: ');
      if (chosen !== (await promptHidden('new password again: '))) throw new ValidationError('the two new passwords differ', 'VALIDATION_ERROR');
      creds = await login(config, username, password, Date.now, chosen);
    }
    const file = writeCredentials(creds, dir);
    const claims = jwtClaims(creds.accessToken);
    const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [];
    out.result(
      { ok: true, env: config.env, username, groups, expires_at: creds.expiresAt, credentials_path: file },
      () => `signed in to "${config.env}" as ${username}${groups.length ? ` (${groups.join(', ')})` : ''}; session in ${file}`,
    );
  });

  const logoutCmd = program.command('logout').description("Revoke the session's refresh token with Cognito and forget the stored session");
  withJson(logoutCmd);
  examples(logoutCmd, 'bgagent logout');
  logoutCmd.action(async (opts: JsonOpts) => {
    const dir = configDir();
    const creds = readCredentials(dir);
    let config: ReturnType<typeof readConfig>;
    try {
      config = readConfig(dir);
    } catch {
      config = undefined;
    }
    let revoked = false;
    let failure: string | undefined;
    if (creds?.refreshToken) {
      try {
        revoked = await revokeSession({ region: config?.region ?? process.env.AWS_REGION ?? 'us-east-1' }, creds);
      } catch (e) {
        failure = awsErrorName(e) ?? 'error';
      }
    }
    // Forget the session either way: a token we could not revoke is no reason to keep it here.
    const removed = deleteCredentials(dir);
    if (failure) {
      throw new OperationFailedError(
        `signed out on this machine, but Cognito did not revoke the refresh token (${failure}); it stays valid until it expires (30 days at most): ask an admin to sign the user out globally`,
        'REVOKE_FAILED',
      );
    }
    output(opts).result({ ok: true, removed, revoked }, () =>
      removed ? (revoked ? 'signed out (refresh token revoked)' : 'signed out') : 'was not signed in',
    );
  });

  const whoamiCmd = program.command('whoami').description('Show the configured environment and how requests authenticate');
  withJson(whoamiCmd);
  examples(whoamiCmd, 'bgagent whoami --json');
  whoamiCmd.action(async (opts: JsonOpts) => {
    const dir = configDir();
    const config = readConfig(dir);
    const creds = readCredentials(dir);
    const state = config ? sessionState(creds, config, Date.now()) : 'none';
    const claims = creds && state !== 'none' && state !== 'other-env' ? jwtClaims(creds.accessToken) : {};
    const report = {
      env: config?.env,
      api_url: process.env[API_URL_ENV] || config?.apiUrl,
      auth: process.env[API_KEY_ENV] ? 'api-key' : state === 'fresh' || state === 'refresh' ? 'cognito' : 'none',
      username: state === 'fresh' || state === 'refresh' ? creds?.username : undefined,
      groups: Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : undefined,
      expires_at: state === 'fresh' || state === 'refresh' ? creds?.expiresAt : undefined,
      config_dir: dir,
      credentials_path: creds ? credentialsPath(dir) : undefined,
    };
    output(opts).result(report, () =>
      renderFields([
        ['environment', report.env ?? '(not configured)'],
        ['api', report.api_url],
        [
          'auth',
          report.auth === 'api-key'
            ? `API key ($${API_KEY_ENV})`
            : report.auth === 'cognito'
              ? `${report.username} (until ${report.expires_at})`
              : 'not signed in',
        ],
        ['groups', report.groups],
        ['config', dir],
      ]),
    );
  });
}

async function promptLine(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
