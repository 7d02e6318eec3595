/**
 * What this image is: its package version, the git commit it was built from (baked in at build
 * time) and its own image digest (which no image can know about itself at build time, so it is
 * injected from outside as IMAGE_DIGEST when the runtime's configuration carries it).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface BuildInfo {
  /** `version` of agent/package.json. */
  version: string;
  /** GIT_COMMIT build argument, baked into the image as an environment variable; null when unknown. */
  commit: string | null;
  /** IMAGE_DIGEST environment variable (`sha256:<64 hex>`); null when nothing injected it. */
  digest: string | null;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const COMMIT = /^[A-Za-z0-9._-]{1,64}$/;

/** The package version: agent/package.json sits next to src/ (tsx) and next to dist/ (the image). */
export function packageVersion(dir: string = __dirname): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Reads GIT_COMMIT and IMAGE_DIGEST; malformed or placeholder values report as null, never as a lie. */
export function buildInfoFromEnv(env: NodeJS.ProcessEnv = process.env, version: string = packageVersion()): BuildInfo {
  const commit = env.GIT_COMMIT?.trim();
  const digest = env.IMAGE_DIGEST?.trim();
  return {
    version,
    commit: commit && commit !== 'unknown' && COMMIT.test(commit) ? commit : null,
    digest: digest && DIGEST.test(digest) ? digest : null,
  };
}
