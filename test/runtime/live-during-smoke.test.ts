/**
 * Zero impact, through the data plane: while a publish smokes the new version on `canary`, an
 * invocation of `live` (what every task uses) is still answered by an agent of the previous image.
 * The smoke command itself makes both calls through InvokeAgentRuntime, during the publish.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { servedVersion } from '../../src/local/moto';
import { parseContainerUri } from '../../src/platform/runtime-spec';
import { publishRuntime } from '../../src/runtime';
import { useDataPlane } from '../support/data-plane';
import { motoEndpoint, useMoto } from '../support/moto';
import { TSX } from '../support/run';
import { bootstrappedRuntime, FAST, pushImage } from './support';

useMoto();
useDataPlane();

describe('a publish in progress', () => {
  it('serves tasks the old image on live while the new one is smoked on canary, then moves live', async () => {
    // Prepare: A live, then B pushed
    const ctx = await bootstrappedRuntime('livesmoke');
    const a = await pushImage(ctx, 'ls-a');
    await publishRuntime(ctx, { imageDigest: a, ...FAST });
    const b = await pushImage(ctx, 'ls-b');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abca-live-smoke-'));
    const smoke = (args: string, out: string) =>
      `"${process.execPath}" "${TSX}" scripts/smoke-runtime.ts --env livesmoke --json ${args} > "${path.join(dir, out)}"`;
    // During the smoke: live must still answer as A; canary (RUNTIME_QUALIFIER, IMAGE_DIGEST) as B.
    const smokeCmd = `${smoke(`--qualifier live --expect-digest ${a}`, 'live.json')} && ${smoke('', 'canary.json')}`;
    // Act
    const result = await publishRuntime(ctx, { imageDigest: b, smokeCmd, ...FAST });
    // Assess
    const onLive = JSON.parse(fs.readFileSync(path.join(dir, 'live.json'), 'utf8')) as { ok: boolean; agent?: { digest?: string } };
    const onCanary = JSON.parse(fs.readFileSync(path.join(dir, 'canary.json'), 'utf8')) as { ok: boolean; agent?: { digest?: string } };
    expect(onLive).toMatchObject({ ok: true, agent: { digest: a } });
    expect(onCanary).toMatchObject({ ok: true, agent: { digest: b } });
    expect(result).toMatchObject({ ok: true, outcome: 'published' });
    const live = await servedVersion(motoEndpoint(), ctx.platform.agentRuntimeArn, 'live');
    expect(parseContainerUri(live!.containerUri!)?.digest).toBe(b);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
