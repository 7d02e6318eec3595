/**
 * status: the pointer, the image `live` serves, the runtime's latest version (what DEFAULT
 * follows) and Terraform's state when given; which side differs and the one command that repairs it.
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../../errors';
import { listAudit, type RuntimeAuditEvent } from '../../audit';
import type { RuntimeContext } from '../../context';
import { observe } from '../../move';
import { assessDrift, parseTerraformState, type TerraformView } from './drift';

export * from './options';
export * from './drift';

export interface RuntimeStatusReport {
  env: string;
  inSync: boolean;
  pointer: { digest: string; version: number };
  /** What `live` serves: the endpoint tasks invoke. `version`/`status`/`digest` are the endpoint's. */
  runtime: { id: string; arn: string; endpoint: string; version?: string; targetVersion?: string; status?: string; digest?: string };
  /** The runtime's latest version, which AgentCore's DEFAULT endpoint follows (nothing user-facing invokes it). */
  latest: { version?: string; status?: string; digest?: string };
  terraform?: TerraformView;
  lastAudit?: RuntimeAuditEvent;
  drift: string[];
  /** Differences that are expected and harmless, e.g. DEFAULT after a fast rollback. */
  notes: string[];
  fix?: string;
}

export async function runtimeStatus(ctx: RuntimeContext, opts: { terraformState?: string } = {}): Promise<RuntimeStatusReport> {
  let terraform: TerraformView | undefined;
  if (opts.terraformState) {
    try {
      terraform = parseTerraformState(JSON.parse(readFileSync(opts.terraformState, 'utf8')), ctx.platform.imagePointerParameter);
    } catch (e) {
      throw new ValidationError(`cannot read Terraform state ${opts.terraformState}: ${(e as Error).message}`, 'BAD_STATE_FILE');
    }
  }
  const [o, audit] = await Promise.all([observe(ctx), listAudit(ctx, 1)]);
  const runtime = {
    id: ctx.platform.agentRuntimeId,
    arn: ctx.platform.agentRuntimeArn,
    endpoint: ctx.platform.liveEndpoint,
    version: o.live.liveVersion,
    targetVersion: o.live.targetVersion,
    status: o.live.status,
    digest: o.live.digest,
  };
  const { drift, notes, fix } = assessDrift(ctx.env, o.pointer.digest, runtime, terraform, o.latest);
  return { env: ctx.env, inSync: drift.length === 0, pointer: o.pointer, runtime, latest: o.latest, terraform, lastAudit: audit[0], drift, notes, fix };
}
