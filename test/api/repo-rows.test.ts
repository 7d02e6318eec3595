/** RepoConfig rows as values: onboarding, patch and removal rows, list tokens, audit values, secret names. */
import { secretArnPrefix } from '../../src/wiring/api';
import { compactForAudit } from '../../src/audit/config';
import { RepoConfigPatchSchema, RepoConfigSchema, type RepoConfig } from '../../src/repos/repo-config';
import { onboardedRow, patchedRow, removedRow, REMOVED_TTL_SECONDS } from '../../src/repos/rows';
import { decodeNextToken, encodeNextToken } from '../../src/repos/store';
import { tokenSecretName } from '../../src/repos/token-secrets';

const NOW = new Date('2026-05-01T10:00:00.000Z');
const LATER = new Date('2026-05-01T11:00:00.000Z');

describe('rows', () => {
  it('onboards with defaults, lower-case id, provisioning, version 1; a restore continues the version', () => {
    // Act
    const row = onboardedRow({ repo: 'Acme/Widgets', max_turns: 5 }, NOW);
    const restored = onboardedRow({ repo: 'acme/widgets' }, LATER, { ...row, status: 'removed', version: 4 });
    // Assess
    expect(row).toMatchObject({
      repo: 'acme/widgets',
      max_turns: 5,
      max_budget_usd: 10,
      compute_type: 'agentcore',
      status: 'provisioning',
      source: 'api',
      version: 1,
      onboarded_at: NOW.toISOString(),
    });
    expect(RepoConfigSchema.safeParse(row).success).toBe(true);
    expect(restored).toMatchObject({ version: 5, max_turns: 100, status: 'provisioning' });
  });

  it('patches: null clears, unchanged values are no change, a change bumps the version and re-provisions', () => {
    // Prepare
    const row: RepoConfig = { ...onboardedRow({ repo: 'a/b', build_command: 'make' }, NOW), status: 'failed', status_reason: 'x' };
    // Act
    const same = patchedRow(row, { build_command: 'make' }, LATER);
    const cleared = patchedRow(row, { build_command: null, max_turns: 7 }, LATER);
    // Assess
    expect(same).toEqual({ row, changed: [] });
    expect(cleared.changed).toEqual(['build_command', 'max_turns']);
    expect(cleared.row).toMatchObject({ max_turns: 7, status: 'provisioning', version: 2, updated_at: LATER.toISOString() });
    expect(cleared.row).not.toHaveProperty('build_command');
    expect(cleared.row).not.toHaveProperty('status_reason');
  });

  it('removes with a TTL and a new version', () => {
    // Act
    const removed = removedRow(onboardedRow({ repo: 'a/b' }, NOW), LATER);
    // Assess
    expect(removed).toMatchObject({ status: 'removed', version: 2, expires_at: Math.floor(LATER.getTime() / 1000) + REMOVED_TTL_SECONDS });
  });

  it('refuses a patch that tries to null a required setting or change bookkeeping', () => {
    expect(RepoConfigPatchSchema.safeParse({ max_turns: null }).success).toBe(false);
    expect(RepoConfigPatchSchema.safeParse({ version: 9 }).success).toBe(false);
    expect(RepoConfigPatchSchema.safeParse({ model_id: null }).success).toBe(true);
  });
});

describe('next_token', () => {
  it('round-trips and refuses tokens for another filter or of another shape', () => {
    const token = encodeNextToken({ repo: 'a/b', status: 'active' });
    expect(decodeNextToken(token, 'active')).toEqual({ repo: 'a/b', status: 'active' });
    expect(() => decodeNextToken(token, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }));
    expect(() => decodeNextToken(encodeNextToken({ repo: 'a/b', extra: 1 }))).toThrow(expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }));
    expect(() => decodeNextToken('%%%')).toThrow(expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }));
  });
});

describe('audit values', () => {
  it('records large values as a digest so an event always fits in one item', () => {
    // Act
    const compact = compactForAudit({ cedar_policies: ['p'.repeat(20_000)], max_turns: 3 }) as Record<string, unknown>;
    // Assess
    expect(compact.max_turns).toBe(3);
    expect(compact.cedar_policies).toEqual({ sha256: expect.stringMatching(/^[a-f0-9]{64}$/), bytes: 20_004 });
  });
});

describe('secret naming', () => {
  it('puts tokens under the platform prefix, and derives the ARN prefix from the platform account and region', () => {
    expect(tokenSecretName('abca/dev/', 'acme/widgets')).toBe('abca/dev/github-token/acme/widgets');
    const platform = {
      agentRuntimeArn: 'arn:aws-cn:bedrock-agentcore:cn-north-1:111122223333:runtime/abca_dev_agent-x',
      region: 'cn-north-1',
      secretPrefix: 'abca/dev/',
    };
    expect(secretArnPrefix(platform as never)).toBe('arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:abca/dev/');
  });
});
