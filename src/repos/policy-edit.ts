/**
 * Validated edits of a policy parameter: validate with the readers' schema, refuse a concurrent
 * change (read the version, check it again just before writing, verify the version written is the
 * next one), and record a policy event with before and after. SSM and DynamoDB share no
 * transaction: the event follows the write, and a failed event write is reported as such.
 */
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { fieldChanges } from '../audit/changes';
import type { ConfigAudit } from '../audit/config';
import { isAwsError } from '../aws/errors';
import { ConflictError, OperationFailedError } from '../errors';
import { validatePolicy, type PolicyParameter } from './policy-params';

export interface PolicyDeps {
  ssm: SSMClient;
  audit: ConfigAudit;
  env: string;
  actor: string;
}

export interface PolicyShown {
  key: string;
  parameter: string;
  /** 0: the parameter does not exist. */
  version: number;
  value?: unknown;
  /** The raw text when it is not JSON. */
  raw?: string;
  valid: boolean;
  /** Why the readers would refuse the stored value (a hand-written bad value). */
  problem?: string;
}

export interface PolicySet {
  key: string;
  parameter: string;
  from_version: number;
  version: number;
  changed: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  written: boolean;
}

async function read(ssm: SSMClient, name: string): Promise<{ version: number; text?: string }> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return { version: out.Parameter?.Version ?? 0, text: out.Parameter?.Value };
  } catch (e) {
    if (isAwsError(e, 'ParameterNotFound')) return { version: 0 };
    throw e;
  }
}

export async function showPolicy(deps: Pick<PolicyDeps, 'ssm' | 'env'>, policy: PolicyParameter): Promise<PolicyShown> {
  const parameter = policy.parameter(deps.env);
  const { version, text } = await read(deps.ssm, parameter);
  const base = { key: policy.key, parameter, version };
  if (text === undefined) return { ...base, valid: false, problem: `${parameter} does not exist` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ...base, raw: text, valid: false, problem: `${parameter} is not JSON` };
  }
  const parsed = policy.schema.safeParse(value);
  if (parsed.success) return { ...base, value, valid: true };
  const issue = parsed.error.issues[0];
  return { ...base, value, valid: false, problem: `${issue?.path.join('.') || '(document)'}: ${issue?.message}` };
}

/** The stored document's members (a value that is not a JSON object counts as one member, `(document)`). */
function documentOf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    // Hand-written and broken: shown whole as the old value.
  }
  return { '(document)': text };
}

/** Validates `text`, then writes it unless nothing changes or `dryRun`; refuses a concurrent change. */
export async function setPolicy(
  deps: PolicyDeps,
  policy: PolicyParameter,
  text: string,
  opts: { source: string; dryRun?: boolean; reason?: string },
): Promise<PolicySet> {
  const after = validatePolicy(policy, text, opts.source);
  const parameter = policy.parameter(deps.env);
  const current = await read(deps.ssm, parameter);
  const change = fieldChanges(documentOf(current.text), after);
  const result = { key: policy.key, parameter, from_version: current.version, version: current.version, ...change };
  if (!change.changed.length || opts.dryRun) return { ...result, written: false };
  const conflict = (why: string) =>
    new ConflictError(`${parameter} ${why}; read it again (bgagent ${policy.key} show) and retry`, 'POLICY_CHANGED', {
      parameter,
      read_version: current.version,
    });
  if ((await read(deps.ssm, parameter)).version !== current.version) throw conflict(`changed since it was read (version ${current.version})`);
  const out = await deps.ssm.send(new PutParameterCommand({ Name: parameter, Type: 'String', Overwrite: true, Value: JSON.stringify(after) }));
  const version = out.Version ?? 0;
  if (version !== current.version + 1) {
    throw conflict(`was written by someone else while this edit was applied (this value is version ${version}, read version ${current.version})`);
  }
  try {
    await deps.audit.record('policy', {
      action: 'policy_set',
      actor: deps.actor,
      subject: parameter,
      version,
      ...change,
      ...(opts.reason ? { reason: opts.reason } : {}),
    });
  } catch (e) {
    throw new OperationFailedError(
      `${parameter} was written (version ${version}) but its audit event was not: ${(e as Error).message}`,
      'OPERATION_FAILED',
      undefined,
      {
        cause: e,
      },
    );
  }
  return { ...result, version, written: true };
}
