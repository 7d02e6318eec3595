/**
 * re-apply: make `live` serve what the pointer says, on the runtime's latest configuration. The
 * image-pointer custom resource runs it when its input changes (an infra deploy that changed the
 * runtime's configuration), and it is the repair after a crashed publish. Same plan and applier
 * as publish: UpdateAgentRuntime only when the latest version does not already serve the pointer,
 * then `live` onto that version. No lock: deploy-infra and deploy-runtime share one CI concurrency
 * group, so a publish never runs alongside.
 */
import { getRuntime, waitReady } from '../../agent-runtime';
import type { RuntimeContext } from '../../context';
import { resolveImage } from '../../image';
import { moveTo, type RuntimeOperationResult } from '../../move';
import type { MovePath } from '../../plan';
import { readPointer } from '../../pointer';
import type { ReapplyOptions } from './options';

export * from './options';

export interface ReapplyResult {
  digest: string;
  runtimeVersion?: string;
  changed: boolean;
  path?: MovePath;
  operation?: RuntimeOperationResult;
}

export async function reapplyPointer(ctx: RuntimeContext, opts: ReapplyOptions): Promise<ReapplyResult> {
  const pointer = await readPointer(ctx.clients.ssm, ctx.platform.imagePointerParameter);
  // The pointer's image must exist in the platform repository before anything runs it.
  await resolveImage(ctx, { imageDigest: pointer.digest });
  // An infra apply may have just updated the runtime: plan on the settled version, not a moving one.
  const latest = await getRuntime(ctx);
  if (latest.status === 'UPDATING' || latest.status === 'CREATING') await waitReady(ctx, { ...opts, version: latest.agentRuntimeVersion });
  const op = await moveTo(ctx, 'reapply', pointer.digest, { ...opts }, { lock: false, restoreOnFailure: false });
  if (op.outcome !== 'published') return { digest: pointer.digest, runtimeVersion: op.runtimeVersion, changed: false, path: op.path, operation: op };
  ctx.log(`re-applied pointer ${pointer.digest} (${op.path} path), live on version ${op.runtimeVersion}`);
  return { digest: pointer.digest, runtimeVersion: op.runtimeVersion, changed: true, path: op.path, operation: op };
}
