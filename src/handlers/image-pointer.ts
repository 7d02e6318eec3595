/**
 * Image-pointer custom resource, invoked by Terraform's aws_lambda_invocation (lifecycle_scope
 * CRUD). On create/update it makes the runtime serve the pointer's image, so an infra deploy
 * never leaves runtime and pointer apart; on delete it does nothing.
 * Event: the stack's JSON input plus {"tf": {"action": "create"|"update"|"delete", "prev_input": …}}.
 */
import { z } from 'zod';
import { createClients } from '../aws/clients';
import { componentLogger } from '../platform/logging';
import { platformNames } from '../platform/names';
import { runtimePlatform } from '../platform/platform-document';
import { reapplyPointer, type ReapplyResult } from '../runtime/verbs/reapply';

const EventSchema = z.object({
  env: z.string(),
  region: z.string(),
  imagePointerParameter: z.string(),
  ecrRepositoryName: z.string(),
  ecrRepositoryUrl: z.string(),
  agentRuntimeId: z.string(),
  agentRuntimeArn: z.string(),
  agentRuntimeName: z.string(),
  configHash: z.string().optional(),
  tf: z
    .object({ action: z.enum(['create', 'update', 'delete']) })
    .passthrough()
    .optional(),
});

export type ImagePointerResult = ReapplyResult & { action: string };

export const handler = async (event: unknown, context?: { getRemainingTimeInMillis?: () => number }): Promise<ImagePointerResult> => {
  const input = EventSchema.parse(event);
  const action = input.tf?.action ?? 'update';
  if (action === 'delete') return { action, digest: '', changed: false };
  const names = platformNames(input.env);
  const platform = runtimePlatform(names, input);
  // Leave a margin before Lambda's own timeout so a slow update fails with our message.
  const timeoutMs = Math.max(10_000, (context?.getRemainingTimeInMillis?.() ?? 15 * 60 * 1000) - 30_000);
  const result = await reapplyPointer(
    {
      env: input.env,
      platform,
      clients: createClients({ region: input.region }),
      actor: 'image-pointer-custom-resource',
      log: (l) => componentLogger('imagePointer').info(l),
    },
    {
      timeoutMs,
      pollIntervalMs: Number(process.env.POLL_INTERVAL_MS ?? 5000),
      reason: `infra deploy (${action}, config ${input.configHash?.slice(0, 12) ?? '-'})`,
    },
  );
  return { action, ...result };
};
