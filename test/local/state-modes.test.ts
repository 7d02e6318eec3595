/** Local state files (env.sh, admin.json with the local admin's password) get their modes on every write. */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeStateFile } from '../../src/local/control-plane';

describe('local state files', () => {
  it('narrows a file an earlier run left readable to everyone', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'abca-state-'));
    writeFileSync(path.join(dir, 'admin.json'), '{}', { mode: 0o644 });
    // Act
    const file = writeStateFile(dir, 'admin.json', '{"password":"x"}\n', 0o600);
    // Assess
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(writeStateFile(dir, 'platform.json', '{}\n', 0o644)).mode & 0o777).toBe(0o644);
  });
});
