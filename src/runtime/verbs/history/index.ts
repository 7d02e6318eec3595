/** `bgagent runtime history`: the pointer's versions joined with the audit table (../../history.ts). */
import { listAudit } from '../../audit';
import type { RuntimeContext } from '../../context';
import { joinHistory, type HistoryEntry } from '../../history';
import { pointerHistory } from '../../pointer';

export * from './options';

export interface RuntimeHistory {
  env: string;
  parameter: string;
  entries: HistoryEntry[];
}

export async function runtimeHistory(ctx: RuntimeContext, limit = 50): Promise<RuntimeHistory> {
  const [versions, events] = await Promise.all([pointerHistory(ctx.clients.ssm, ctx.platform.imagePointerParameter), listAudit(ctx)]);
  return { env: ctx.env, parameter: ctx.platform.imagePointerParameter, entries: joinHistory(versions, events, limit) };
}
