/** `bgagent admin user invite | list | remove | reset-password`, over /v1/users (Cognito admins). */
import type { Command } from 'commander';
import { ValidationError } from '../../errors';
import { examples, openApi, output, withApi, type ApiOpts } from '../common';
import { renderFields, renderTable, type Column } from '../output';

interface User {
  username: string;
  status?: string;
  email?: string;
  groups: string[];
  created_at?: string;
}

export const USER_COLUMNS: Column<User>[] = [
  { header: 'USER', value: (u) => u.username },
  { header: 'GROUPS', value: (u) => u.groups },
  { header: 'STATUS', value: (u) => u.status },
  { header: 'E-MAIL', value: (u) => u.email },
  { header: 'CREATED', value: (u) => u.created_at },
];

const GROUPS = ['operator', 'admin'];

export function adminCommands(program: Command): void {
  const admin = program.command('admin').description('Workshop host commands (Cognito admins)');
  const group = admin.command('user').description("The user pool's users: participants are in the operator group");
  examples(group, 'bgagent admin user invite ada', 'bgagent admin user list');

  const invite = withApi(
    group
      .command('invite')
      .description('Create a user with a temporary password (shown once); they choose their own at first sign-in')
      .argument('<username>')
      .option('--email <address>', "the user's e-mail (no message is sent: hand the password over yourself)")
      .option('--group <group>', `${GROUPS.join(' or ')}`, 'operator'),
  );
  examples(invite, 'bgagent admin user invite ada', 'bgagent admin user invite grace --group admin --json | jq -r .temporary_password');
  invite.action(async (username: string, opts: ApiOpts & { email?: string; group: string }) => {
    if (!GROUPS.includes(opts.group)) throw new ValidationError(`--group must be ${GROUPS.join(' or ')}`, 'VALIDATION_ERROR');
    const out = output(opts);
    const { client } = openApi(opts);
    const body = { username, group: opts.group, ...(opts.email ? { email: opts.email } : {}) };
    const user = (await client.request<User & { temporary_password: string }>('POST', '/v1/users', { body })).body;
    if (!opts.json) out.warn('the temporary password below is shown only this once: hand it to the user');
    out.result(user, () =>
      renderFields([
        ['user', user.username],
        ['groups', user.groups],
        ['temporary password', user.temporary_password],
        ['next', `the user signs in (console or "bgagent login --username ${user.username}") and chooses a password`],
      ]),
    );
  });

  const list = withApi(group.command('list').description('List users with their groups and status'));
  examples(list, 'bgagent admin user list', 'bgagent admin user list --json | jq -r ".items[].username"');
  list.action(async (opts: ApiOpts) => {
    const { client } = openApi(opts);
    const page = (await client.request<{ items: User[] }>('GET', '/v1/users')).body;
    output(opts).result(page, () => renderTable(page.items, USER_COLUMNS));
  });

  const remove = withApi(group.command('remove').description('Delete a user (not yourself)').argument('<username>'));
  examples(remove, 'bgagent admin user remove ada');
  remove.action(async (username: string, opts: ApiOpts) => {
    const { client } = openApi(opts);
    const res = (await client.request<{ username: string; removed: boolean }>('DELETE', `/v1/users/${encodeURIComponent(username)}`)).body;
    output(opts).result(res, () => `removed ${res.username}`);
  });

  const reset = withApi(
    group.command('reset-password').description('Give a user a new temporary password (shown once) and end their sessions').argument('<username>'),
  );
  examples(reset, 'bgagent admin user reset-password ada');
  reset.action(async (username: string, opts: ApiOpts) => {
    const out = output(opts);
    const { client } = openApi(opts);
    const res = (await client.request<{ username: string; temporary_password: string }>('POST', `/v1/users/${encodeURIComponent(username)}/reset-password`))
      .body;
    if (!opts.json) out.warn('the temporary password below is shown only this once: hand it to the user');
    out.result(res, () =>
      renderFields([
        ['user', res.username],
        ['temporary password', res.temporary_password],
      ]),
    );
  });
}
