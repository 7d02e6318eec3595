/**
 * The SSM image pointer. Labels move forward (`live`, `previous`) so the oldest of SSM's 100
 * versions never carries a label — SSM refuses a new version while it does.
 */
import {
  GetParameterCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  paginateGetParameterHistory,
  type ParameterHistory,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { isAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import { OperationFailedError, ValidationError } from '../errors';
import { isImageDigest } from '../platform/runtime-spec';

export const LIVE_LABEL = 'live';
export const PREVIOUS_LABEL = 'previous';

export async function readPointer(ssm: SSMClient, name: string): Promise<{ digest: string; version: number }> {
  const out = await ssm.send(new GetParameterCommand({ Name: name }));
  return { digest: out.Parameter!.Value!, version: out.Parameter!.Version! };
}

/**
 * The digest of one version (`12`) or label (`previous`) of the pointer; undefined when SSM has no
 * such version or label (it keeps the last 100 versions).
 */
export async function readPointerAt(ssm: SSMClient, name: string, selector: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: `${name}:${selector}` }))).Parameter?.Value;
  } catch (e) {
    // A label SSM cannot parse is a ValidationException: for the caller, equally "no such version".
    if (isAwsError(e, 'ParameterVersionNotFound', 'ParameterNotFound', 'ValidationException')) return undefined;
    throw e;
  }
}

/** SSM descriptions hold at most 1024 characters. */
export function pointerDescription(fields: Record<string, string | undefined>): string {
  const text = Object.entries(fields)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}

export async function writePointer(ssm: SSMClient, name: string, digest: string, description: string): Promise<number> {
  // moto (and a misconfigured parameter) would not enforce AllowedPattern: check here too.
  if (!isImageDigest(digest)) throw new ValidationError(`refusing to write "${digest}" to ${name}`, 'INVALID_DIGEST');
  const out = await ssm.send(new PutParameterCommand({ Name: name, Value: digest, Type: 'String', Overwrite: true, Description: description }));
  return out.Version!;
}

/**
 * Labels one version. SSM answers 200 with `InvalidLabels` for a label it would not attach (bad
 * form, or already on a version that cannot take it): that is a failure, not a success.
 */
export async function labelVersion(ssm: SSMClient, name: string, version: number, labels: string[]): Promise<void> {
  const out = await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: labels }));
  if (out.InvalidLabels?.length) {
    throw new OperationFailedError(`SSM refused label(s) ${out.InvalidLabels.join(', ')} on ${name}:${version}`, 'LABEL_REFUSED', {
      invalidLabels: out.InvalidLabels,
      version,
    });
  }
}

/** `live` → the new version; `previous` → the version that was live. */
export async function moveLabels(ssm: SSMClient, name: string, liveVersion: number, previousVersion?: number): Promise<void> {
  if (previousVersion !== undefined && previousVersion !== liveVersion) await labelVersion(ssm, name, previousVersion, [PREVIOUS_LABEL]);
  await labelVersion(ssm, name, liveVersion, [LIVE_LABEL]);
}

/** Every version SSM still holds (at most 100), oldest first. GetParameterHistory pages hold at most 50. */
export async function pointerHistory(ssm: SSMClient, name: string): Promise<ParameterHistory[]> {
  return allItems(paginateGetParameterHistory({ client: ssm, pageSize: 50 }, { Name: name }), (page) => page.Parameters);
}
