/** `status --all`: what every environment in this account and region runs, side by side. */
import { DescribeParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeError } from '../errors';
import { listAudit } from './audit';
import type { RuntimeContext } from './context';
import { servedDigest } from './promote';
import { newestSucceededPublish } from './promotion-chain';
import { formatPromotedFrom } from './promoted-from';
import { runtimeStatus } from './status';

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
  const envs: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/abca/'] }], MaxResults: 50, NextToken }),
    );
    for (const p of out.Parameters ?? []) {
      const m = PLATFORM.exec(p.Name ?? '');
      if (m) envs.push(m[1]!);
    }
    NextToken = out.NextToken;
  } while (NextToken);
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

const short = (d: string | undefined) => (d ? `${d.slice(0, 19)}…` : '-');

/** Pure: the side-by-side table (text, or Markdown for a job summary). */
export function formatStatusAll(report: { environments: EnvironmentRow[] }, style: 'text' | 'markdown' = 'text'): string {
  if (report.environments.length === 0) return 'no environments found (no /abca/<env>/platform parameter in this account and region)';
  const header = ['ENV', 'LIVE', 'POINTER', 'RUNTIME', 'SYNC', 'PROMOTED FROM'];
  const rows = report.environments.map((r) => [
    r.env,
    short(r.live),
    r.pointer ? `${short(r.pointer)} v${r.pointerVersion}` : '-',
    r.runtimeStatus ? `${r.runtimeStatus} v${r.runtimeVersion ?? '-'}` : '-',
    r.error ? `ERROR: ${r.error.slice(0, 80)}` : r.inSync ? 'in sync' : 'DRIFT',
    r.promotedFrom ?? '-',
  ]);
  if (style === 'markdown')
    return ['| ' + header.join(' | ') + ' |', '|' + header.map(() => '---').join('|') + '|', ...rows.map((r) => '| ' + r.join(' | ') + ' |'), ''].join('\n');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
