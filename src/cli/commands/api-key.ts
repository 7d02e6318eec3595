/** `bgagent api-key create | list | revoke`, over /v1/api-keys. */
import type { Command } from 'commander';
import { ValidationError } from '../../errors';
import { API_KEY_SCOPES, type ApiKeyInfo, type ApiKeyScope } from '../api-client';
import { examples, openApi, output, withApi, type ApiOpts } from '../common';
import { renderFields, renderTable, type Column } from '../output';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Pure: `--scope a,b --scope c` → known scopes, each once. */
export function parseScopes(raw: string[] | undefined): ApiKeyScope[] {
  const scopes = [
    ...new Set(
      (raw ?? [])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (!scopes.length) throw new ValidationError(`give at least one --scope (${API_KEY_SCOPES.join(', ')})`, 'VALIDATION_ERROR');
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length)
    throw new ValidationError(`unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; scopes are ${API_KEY_SCOPES.join(', ')}`, 'VALIDATION_ERROR');
  return scopes as ApiKeyScope[];
}

export const API_KEY_COLUMNS: Column<ApiKeyInfo>[] = [
  { header: 'KEY ID', value: (k) => k.key_id },
  { header: 'NAME', value: (k) => k.name, max: 40 },
  { header: 'SCOPES', value: (k) => k.scopes },
  { header: 'CREATED', value: (k) => k.created_at },
  { header: 'LAST USED', value: (k) => k.last_used_at },
];

export function apiKeyCommands(program: Command): void {
  const group = program.command('api-key').description('Scoped API keys for CI and other non-interactive callers (admin)');
  examples(group, 'bgagent api-key create --name ci --scope repos:read --scope tasks:submit');

  const create = withApi(
    group
      .command('create')
      .description('Create an API key; its secret is shown once')
      .requiredOption('--name <name>', 'what the key is for')
      .option('--scope <scope>', `scope, repeatable or comma-separated: ${API_KEY_SCOPES.join(', ')}`, collect),
  );
  examples(
    create,
    'bgagent api-key create --name ci-onboarding --scope repos:read,repos:write',
    'export BGAGENT_API_KEY=$(bgagent api-key create --name ci --scope tasks:submit --json | jq -r .api_key)',
  );
  create.action(async (opts: ApiOpts & { name: string; scope?: string[] }) => {
    const out = output(opts);
    const scopes = parseScopes(opts.scope);
    if (!opts.name.trim()) throw new ValidationError('--name must not be empty', 'VALIDATION_ERROR');
    const { client } = openApi(opts);
    const key = await client.createApiKey(opts.name, scopes);
    if (!opts.json) out.warn('the API key below is shown only this once: store it now (e.g. as the BGAGENT_API_KEY secret of your CI)');
    out.result(key, () =>
      renderFields([
        ['key id', key.key_id],
        ['name', key.name],
        ['scopes', key.scopes],
        ['created', key.created_at],
        ['api key', key.api_key],
      ]),
    );
  });

  const list = withApi(group.command('list').description('List API keys (never their secrets)'));
  examples(list, 'bgagent api-key list', 'bgagent api-key list --json | jq -r ".items[].key_id"');
  list.action(async (opts: ApiOpts) => {
    const { client } = openApi(opts);
    const page = await client.listApiKeys();
    output(opts).result(page, () => renderTable(page.items, API_KEY_COLUMNS));
  });

  const revoke = withApi(group.command('revoke').description('Revoke an API key; requests with it fail from now on').argument('<key-id>'));
  examples(revoke, 'bgagent api-key revoke k7Qx2mP9');
  revoke.action(async (keyId: string, opts: ApiOpts) => {
    const { client } = openApi(opts);
    const answer = await client.revokeApiKey(keyId);
    output(opts).result({ ok: true, key_id: keyId, ...(answer && typeof answer === 'object' ? answer : {}) }, () => `revoked ${keyId}`);
  });
}
