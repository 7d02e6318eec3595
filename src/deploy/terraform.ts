/**
 * The Terraform side of the first deploy and teardown: the exact cdktf/terraform commands, and
 * what the remote state already holds (the observation that makes an apply skippable).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../errors';
import type { Command } from './command';

/** Logical address of the ECR repository in the synthesized stack (asserted by test/infra/cli-context.test.ts). */
export const ECR_REPOSITORY_ADDRESS = 'aws_ecr_repository.application_repository_01F2E0FD';
export const STACK_NAME = 'infra';

/** Same key as stacks/infra-stack.ts (abca/<env>/infra.tfstate). */
export function stateKeyFor(env: string): string {
  return `abca/${env}/${STACK_NAME}.tfstate`;
}

export function stackDirOf(outdir: string): string {
  return path.join(outdir, 'stacks', STACK_NAME);
}

/** `npx cdktf synth`, context through CDKTF_CONTEXT_JSON (honoured since cdktf.json has no "context"). */
export function synthCommand(outdir: string, context: Record<string, string | boolean>): Command {
  return { argv: ['npx', 'cdktf', 'synth', '--output', outdir], env: { CHECKPOINT_DISABLE: '1', CDKTF_CONTEXT_JSON: JSON.stringify(context) } };
}

export function initCommand(stackDir: string): Command {
  return { argv: ['terraform', `-chdir=${stackDir}`, 'init', '-input=false'] };
}

export function applyCommand(stackDir: string, targets: string[] = []): Command {
  return { argv: ['terraform', `-chdir=${stackDir}`, 'apply', '-input=false', '-auto-approve', ...targets.map((t) => `-target=${t}`)] };
}

export function destroyCommand(stackDir: string): Command {
  return { argv: ['terraform', `-chdir=${stackDir}`, 'destroy', '-input=false', '-auto-approve'] };
}

export interface StateResource {
  address: string;
  type: string;
  attributes: Record<string, unknown>[];
}

/** Managed resources in a Terraform state file (format version 4) that have instances. */
export function stateResources(stateJson: string): StateResource[] {
  let state: { resources?: { mode?: string; type?: string; name?: string; instances?: { attributes?: Record<string, unknown> }[] }[] };
  try {
    state = JSON.parse(stateJson);
  } catch {
    throw new ValidationError('the Terraform state object is not JSON', 'STATE_INVALID');
  }
  return (state.resources ?? [])
    .filter((r) => r.mode === 'managed' && r.type && r.name && (r.instances ?? []).length > 0)
    .map((r) => ({ address: `${r.type}.${r.name}`, type: r.type!, attributes: r.instances!.map((i) => i.attributes ?? {}) }));
}

export function stateAddresses(stateJson: string): Set<string> {
  return new Set(stateResources(stateJson).map((r) => r.address));
}

/** Deletion protection as the state records it (the attribute names of the AWS provider). */
export function isProtected(r: StateResource): boolean {
  return r.attributes.some((a) => a.deletion_protection_enabled === true || a.deletion_protection === 'ACTIVE');
}

/** Every resource address the synthesized stack declares (cdk.tf.json). */
export function synthesizedAddresses(stackDir: string): string[] {
  const file = path.join(stackDir, 'cdk.tf.json');
  let json: { resource?: Record<string, Record<string, unknown>> };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new ValidationError(`no synthesized stack at ${file} (did the synth step run?)`, 'SYNTH_MISSING');
  }
  return Object.entries(json.resource ?? {}).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
}

/** Resources of the given types in the synthesized stack (teardown targets the protected ones). */
export function synthesizedAddressesOfTypes(stackDir: string, types: string[]): string[] {
  return synthesizedAddresses(stackDir).filter((a) => types.includes(a.slice(0, a.indexOf('.'))));
}
