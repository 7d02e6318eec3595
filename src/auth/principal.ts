/**
 * Who is calling and what they may do. Cognito users get permissions from their groups, API keys
 * from their scopes; routes ask for a permission, never for a group or a scope directly.
 */
export const API_KEY_SCOPES = ['repos:read', 'repos:write', 'tasks:submit'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Managing API keys is for Cognito admins only: no key can mint or revoke keys. */
export type Permission = ApiKeyScope | 'api-keys:manage';

export const GROUP_PERMISSIONS: Record<'admin' | 'operator', readonly Permission[]> = {
  admin: ['repos:read', 'repos:write', 'tasks:submit', 'api-keys:manage'],
  operator: ['repos:read', 'tasks:submit'],
};

export type Principal =
  | { kind: 'user'; id: string; groups: string[]; permissions: ReadonlySet<Permission> }
  | { kind: 'api_key'; id: string; name: string; scopes: ApiKeyScope[]; permissions: ReadonlySet<Permission> };

export function permissionsForGroups(groups: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const g of groups) {
    const granted = (GROUP_PERMISSIONS as Record<string, readonly Permission[] | undefined>)[g];
    granted?.forEach((p) => out.add(p));
  }
  return out;
}

/** How a principal appears in audit events and logs (never a secret). */
export function actorOf(p: Principal): string {
  return p.kind === 'user' ? `user:${p.id}` : `api_key:${p.id}`;
}
