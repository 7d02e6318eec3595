/** `status --all`: what every environment in this account and region runs, side by side. */
import { paginateDescribeParameters, type SSMClient } from '@aws-sdk/client-ssm';
import { allItems } from '../../../aws/pages';
import { describeError } from '../../../errors';
import { listAudit } from '../../audit';
import type { RuntimeContext } from '../../context';
import { servedDigest } from '../../endpoints';
import { newestSucceededPublish } from '../../promotion-chain';
import { formatPromotedFrom } from '../../promoted-from';
import { runtimeStatus } from './index';

export interface EnvironmentRow {
  env: string;
  pointer?: string;
  pointerVersion?: number;
  /** The digest `live` serves. */
  live?: string;
  runtimeVersion?: string;
  runtimeStatus?: string;
  inSync?: boolean;
  /** Where the live digest was promoted from, if it was (`dev@v7#<event>`). */
  promotedFrom?: string;
  /** The environment could not be read (access, a half-deployed stack). */
  error?: string;
}

const PLATFORM = /^\/abca\/([a-z][a-z0-9-]*)\/platform$/;

/** Environments are found by their discovery document, `/abca/<env>/platform`. */
export async function listEnvironments(ssm: SSMClient): Promise<string[]> {
  // DescribeParameters pages hold at most 50.
  const params = await allItems(
    paginateDescribeParameters({ client: ssm, pageSize: 50 }, { ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/abca/'] }] }),
    (page) => page.Parameters,
  );
  const envs = params.map((p) => PLATFORM.exec(p.Name ?? '')?.[1]).filter((env): env is string => env !== undefined);
  return [...new Set(envs)].sort();
}

export async function environmentRow(ctx: RuntimeContext): Promise<EnvironmentRow> {
  const [status, live, events] = await Promise.all([runtimeStatus(ctx), servedDigest(ctx), listAudit(ctx, 200)]);
  const from = live ? newestSucceededPublish(events, live)?.promoted_from : undefined;
  return {
    env: ctx.env,
    pointer: status.pointer.digest,
    pointerVersion: status.pointer.version,
    live,
    runtimeVersion: status.runtime.version,
    runtimeStatus: status.runtime.status,
    inSync: status.inSync,
    promotedFrom: from && formatPromotedFrom(from),
  };
}

export async function statusAll(ssm: SSMClient, open: (env: string) => Promise<RuntimeContext>): Promise<{ environments: EnvironmentRow[]; inSync: boolean }> {
  const envs = await listEnvironments(ssm);
  const environments = await Promise.all(
    envs.map(async (env) => {
      try {
        return await environmentRow(await open(env));
      } catch (e) {
        return { env, error: describeError(e) };
      }
    }),
  );
  return { environments, inSync: environments.every((r) => r.inSync === true) };
}
