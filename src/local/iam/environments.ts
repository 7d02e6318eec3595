/**
 * Policies per environment, learnt as they appear. Every environment synthesizes its own stack
 * (role names, tables and parameters carry its name) and AWS generates its runtime's ARN, so the
 * enforcement point cannot hold one policy set: it compiles an environment the first time one of
 * its roles is assumed, and again when that environment's runtime is created (the grants scoped to
 * the runtime then name the real ARN, as they do once Terraform has applied).
 */
import { compilePolicies, localRefs, type CompiledPolicies, type TfJson } from './synthesized';

/**
 * The synthesized stack of an environment (cdk.tf.json's JSON) with the settings its deployment
 * gives (`--context` keys, e.g. promoteFrom); called once per environment and settings.
 */
export type StackSource = (env: string, context?: Record<string, unknown>) => TfJson | Promise<TfJson>;

/** `arn:aws:iam::<acct>:role/abca-<env>-<role>` → env (environment names contain no `-`). */
export function envOfRoleArn(roleArn: string): string | undefined {
  return /^arn:aws:iam::\d{12}:role\/abca-([A-Za-z0-9_]+)-[a-z0-9-]+$/.exec(roleArn)?.[1];
}

/** The runtime name the stack gives an environment (`abca_<env>_agent`) → env. */
export function envOfRuntimeName(name: string): string | undefined {
  return /^abca_([A-Za-z0-9]+)_agent$/.exec(name)?.[1];
}

export class Environments {
  private readonly stacks = new Map<string, Promise<TfJson>>();
  private readonly runtimes = new Map<string, string>();
  private readonly compiled = new Set<string>();
  private readonly settings = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly source: StackSource,
    private readonly place: { account: string; region: string },
  ) {}

  /** Whether `env`'s policies were compiled already (with the runtime ARN known at that time). */
  has(env: string): boolean {
    return this.compiled.has(env);
  }

  private stack(env: string): Promise<TfJson> {
    let json = this.stacks.get(env);
    if (!json) {
      json = Promise.resolve(this.source(env, this.settings.get(env)));
      // A failed synthesis is tried again next time rather than remembered.
      json.catch(() => this.stacks.delete(env));
      this.stacks.set(env, json);
    }
    return json;
  }

  /** `env`'s policies, runtime-scoped grants on the runtime it created (when it did). */
  async policies(env: string): Promise<CompiledPolicies> {
    const json = await this.stack(env);
    const runtime = this.runtimes.get(env);
    const policies = compilePolicies(json, { ...this.place, ...(runtime ? { refs: localRefs(json, { agentRuntimeArn: runtime }) } : {}) });
    this.compiled.add(env);
    return policies;
  }

  /**
   * The settings an environment is deployed with (what its bootstrap, standing for Terraform, was
   * given). True when its policies were compiled already and must be compiled again.
   */
  configure(env: string, context: Record<string, unknown>): boolean {
    if (JSON.stringify(this.settings.get(env) ?? {}) === JSON.stringify(context)) return false;
    this.settings.set(env, context);
    this.stacks.delete(env);
    return this.compiled.has(env);
  }

  /** Records the runtime an environment's bootstrap created; its policies must be compiled again. */
  runtimeCreated(env: string, agentRuntimeArn: string): boolean {
    if (this.runtimes.get(env) === agentRuntimeArn) return false;
    this.runtimes.set(env, agentRuntimeArn);
    return true;
  }

  /** The runtime ARN an environment's policies name (undefined: the stack's own placeholder). */
  runtimeOf(env: string): string | undefined {
    return this.runtimes.get(env);
  }
}
