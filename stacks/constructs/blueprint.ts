/**
 * Blueprint: onboard a repository from IaC. Writes the same RepoConfig row the API writes
 * (`POST /v1/repos`), validated with the same schema and guardrail checks at synth time, marked
 * `source: iac` (read-only through the API), and adds its egress allowlist to the Terraform-owned
 * baseline DNS Firewall list.
 *
 * Status: rows are written `active`. Everything the provisioner would check asynchronously is
 * checked before anything is written: schema and Cedar syntax at synth, the token secret's
 * existence at plan (a data source lookup), and the egress domains go straight into the baseline
 * list. Writing `provisioning` instead would let the provisioner flip the row, which Terraform
 * would then revert on every deploy.
 *
 *   new Blueprint(stack, 'widgets', { repo: 'acme/widgets', egress_allowlist: ['*.pypi.org'] });
 */
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { DataResource, Fn, TerraformStack, Token } from 'cdktf';
import { DataAwsSecretsmanagerSecret } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret';
import { DynamodbTableItem } from '@cdktf/provider-aws/lib/dynamodb-table-item';
import { ValidationError } from '../../src/errors';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import type { PlatformNames } from '../../src/platform/names';
import { TABLES } from '../../src/platform/tables';
import { canonicalRepoId, REPO_DEFAULTS, RepoConfigInputSchema, repoPolicyProblems, zodProblems, type RepoConfigInput } from '../../src/repos/repo-config';
import type { DnsFirewall } from './dns-firewall';

/** Blueprint props: exactly a `POST /v1/repos` body. */
export type BlueprintProps = RepoConfigInput;

/** What a Blueprint needs from the platform stack it is declared in. */
export interface BlueprintPlatform {
  names: PlatformNames;
  reposTableName: string;
  dnsFirewall: DnsFirewall;
}

export interface BlueprintHost {
  readonly blueprintPlatform: BlueprintPlatform;
}

export const BLUEPRINT_STATUS = 'active' as const;

/** Repositories declared per stack, to refuse the same repository twice at synth. */
const declared = new WeakMap<TerraformStack, Map<string, string>>();

type AttributeValue = { S: string } | { N: string } | { L: AttributeValue[] };

export class Blueprint extends Construct {
  readonly repo: string;
  /** The row's settings (defaults applied), before the Terraform-computed fields. */
  readonly settings: Record<string, unknown>;
  readonly item: DynamodbTableItem;

  constructor(scope: Construct, id: string, props: BlueprintProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    const platform = (stack as Partial<BlueprintHost>).blueprintPlatform;
    if (!platform) throw new ValidationError(`Blueprint "${id}" must be declared inside the ABCA infra stack`, 'INVALID_BLUEPRINT');
    const { names } = platform;

    const validated = validate(id, props, names);
    // Keyed like API rows (lower case), so the API finds the row and refuses to change it.
    const input = { ...validated, repo: canonicalRepoId(validated.repo) };
    this.repo = input.repo;
    const seen = declared.get(stack) ?? new Map<string, string>();
    declared.set(stack, seen);
    const other = seen.get(input.repo);
    if (other) throw new ValidationError(`Blueprint "${id}": repository ${validated.repo} is already declared by Blueprint "${other}"`, 'INVALID_BLUEPRINT');
    seen.set(input.repo, id);

    if (input.github_token_secret_arn) {
      // Fails the plan when the secret does not exist (what the provisioner checks for API rows).
      new DataAwsSecretsmanagerSecret(this, 'token-secret', { arn: input.github_token_secret_arn });
    }
    platform.dnsFirewall.allow(input.egress_allowlist ?? []);

    const { repo: _repo, ...rest } = input;
    this.settings = { ...REPO_DEFAULTS, ...rest };
    const contentHash = createHash('sha256')
      .update(JSON.stringify(canonical({ repo: input.repo, ...this.settings })))
      .digest('hex');

    // Timestamps Terraform keeps: onboarded_at is fixed at creation; updated_at (and with it the
    // version) moves only when the declared content changes, so plans stay empty otherwise.
    const onboarded = new DataResource(this, 'onboarded-at', { input: { at: Fn.timestamp() }, lifecycle: { ignoreChanges: ['input'] } });
    const updated = new DataResource(this, 'updated-at', {
      input: { at: Fn.timestamp() },
      triggersReplace: { content: contentHash },
      lifecycle: { ignoreChanges: ['input'] },
    });
    const updatedAt = Token.asString(updated.output.lookup('at'));

    const row: Record<string, AttributeValue> = {
      repo: { S: input.repo },
      status: { S: BLUEPRINT_STATUS },
      source: { S: 'iac' },
      onboarded_at: { S: Token.asString(onboarded.output.lookup('at')) },
      updated_at: { S: updatedAt },
      // Monotonic without a counter: the update time as yyyymmddhhmmss.
      version: { N: Fn.formatdate('YYYYMMDDhhmmss', updatedAt) },
      ...marshal(this.settings),
    };
    this.item = new DynamodbTableItem(this, 'row', {
      tableName: platform.reposTableName,
      hashKey: TABLES.repos.hashKey,
      item: JSON.stringify(row),
    });
  }
}

function validate(id: string, props: BlueprintProps, names: PlatformNames): RepoConfigInput {
  const parsed = RepoConfigInputSchema.safeParse(props);
  if (!parsed.success) {
    const problems = zodProblems(parsed.error).map((p) => `${p.field}: ${p.message}`);
    throw new ValidationError(`Blueprint "${id}" is not a valid RepoConfig: ${problems.join('; ')}`, 'INVALID_BLUEPRINT', { problems });
  }
  const input = parsed.data;
  // The guardrails the API applies, with the defaults this stack writes (a host may tighten them
  // later; rows already declared here stay, as IaC is the source of truth for them).
  const secret = input.github_token_secret_arn;
  const problems = repoPolicyProblems(input, {
    allowedOrgs: DEFAULT_GUARDRAILS.allowed_orgs,
    allowedModels: DEFAULT_GUARDRAILS.allowed_models,
    secretArnPrefix: secret ? `${secret.slice(0, secret.indexOf(':secret:') + ':secret:'.length)}${names.secretPrefix}` : '',
  });
  if (problems.length) {
    throw new ValidationError(`Blueprint "${id}" breaks a guardrail: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, 'INVALID_BLUEPRINT', {
      problems,
    });
  }
  return input;
}

/** DynamoDB JSON for the settings (strings, numbers, lists of strings). */
function marshal(values: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    out[key] = attribute(key, value);
  }
  return out;
}

function attribute(key: string, value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (Array.isArray(value)) return { L: value.map((v) => attribute(key, v)) };
  throw new ValidationError(`Blueprint field ${key} has a type the row cannot hold`, 'INVALID_BLUEPRINT');
}

/** Key-sorted copy, so the content hash ignores property order. */
function canonical(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, value[k]]),
  );
}
