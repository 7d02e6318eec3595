/** GitHub repository ids: what is one, and the key a row is stored under. No schema (the CLI imports it). */

/** GitHub owner: 1-39 ASCII letters/digits and single inner hyphens. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** GitHub repository name: 1-100 of letters, digits, '.', '_', '-'; not '.' or '..'. */
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** Input quoted in an error message: at most `max` characters, so a 1 MB value is not echoed back. */
export function clip(value: string, max = 64): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const printable = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}… (${value.length} characters)` : printable;
}

export function repoIdProblem(repo: string): string | undefined {
  if (repo.length > 140) return `must be at most 140 characters ("owner/repo"), got ${repo.length}`;
  const parts = repo.split('/');
  if (parts.length !== 2) return 'must be "owner/repo"';
  const [owner, name] = parts as [string, string];
  if (!OWNER.test(owner)) return `owner "${clip(owner)}" is not a valid GitHub user or organization name`;
  if (!NAME.test(name) || name === '.' || name === '..' || name.toLowerCase().endsWith('.git')) {
    return `name "${clip(name)}" is not a valid GitHub repository name`;
  }
  return undefined;
}

/**
 * The key a repository is stored under. GitHub treats owner and name case-insensitively, so the API
 * keys rows by the lower-case id: `Acme/Widgets` and `acme/widgets` are one repository (and one slot
 * of the repository limit).
 */
export function canonicalRepoId(repo: string): string {
  return repo.toLowerCase();
}
