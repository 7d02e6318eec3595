/**
 * The provisioner Lambda, fed by the repos table's DynamoDB stream (NEW_AND_OLD_IMAGES). Each
 * record is one change; failures are reported per record (ReportBatchItemFailures) so only those
 * are retried.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { handleRepoChange, type ProvisionerDeps, type RepoChange } from '../repos/provisioner';
import { REPO_STATUSES, type RepoStatus } from '../repos/repo-config';
import { lambdaContext, onFirstUse } from '../wiring/lambda';
import { buildProvisionerDeps } from '../wiring/provisioner';

type Attr = { S?: string };
export interface StreamRecord {
  eventID?: string;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  dynamodb?: { Keys?: Record<string, Attr>; NewImage?: Record<string, Attr>; OldImage?: Record<string, Attr>; SequenceNumber?: string };
}
export interface StreamEvent {
  Records?: StreamRecord[];
}
export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

const status = (image?: Record<string, Attr>): RepoStatus | undefined => {
  const s = image?.status?.S;
  return s && (REPO_STATUSES as readonly string[]).includes(s) ? (s as RepoStatus) : undefined;
};

/** A stream record as a repository change (undefined for records that are not about a row). */
export function changeOf(record: StreamRecord): RepoChange | undefined {
  const repo = record.dynamodb?.Keys?.repo?.S;
  if (!repo) return undefined;
  return { repo, status: record.eventName === 'REMOVE' ? undefined : status(record.dynamodb?.NewImage), previousStatus: status(record.dynamodb?.OldImage) };
}

/** Handles a batch with the given deps (the Lambda entry point wires real ones). */
export async function processStream(deps: ProvisionerDeps, event: StreamEvent, log: Logger): Promise<BatchResult> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records ?? []) {
    const change = changeOf(record);
    if (!change) continue;
    try {
      const outcome = await handleRepoChange(deps, change);
      log.debug('stream record handled', { repo: change.repo, outcome: outcome.status });
    } catch (e) {
      log.error('stream record failed', { repo: change.repo, error: (e as Error).message });
      // Changes to one table arrive in order: retry from the first failure, not past it.
      failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      break;
    }
  }
  return { batchItemFailures: failures };
}

const ready = onFirstUse(async () => {
  const { env, platform, clients, log } = await lambdaContext('provisioner');
  return { deps: buildProvisionerDeps({ env, platform, clients, log }), log };
});

export const handler = async (event: StreamEvent): Promise<BatchResult> => {
  const { deps, log } = await ready();
  return processStream(deps, event, log);
};
