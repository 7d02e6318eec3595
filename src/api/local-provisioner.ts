/**
 * The provisioner in-process, for the local server: where AWS feeds the repos table's stream to a
 * Lambda, the local server hands each committed change to this queue. One change at a time, after
 * the response is on its way, through the same `handleRepoChange` the stream Lambda calls.
 */
import { handleRepoChange, type ProvisionerDeps } from '../repos/provisioner';

const ATTEMPTS = 3;

export class LocalProvisioner {
  private readonly pending = new Set<string>();
  private running?: Promise<void>;

  constructor(private readonly deps: ProvisionerDeps) {}

  notify(repo: string): void {
    this.pending.add(repo);
    this.kick();
  }

  /** Resolves once every change handed over so far has been provisioned. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain()
      .catch((e: Error) => this.deps.log.error('local provisioner stopped on an unexpected error', { error: e.message }))
      .finally(() => {
        this.running = undefined;
        // A change handed over while the last drain was finishing: start again.
        if (this.pending.size) this.kick();
      });
  }

  private async drain(): Promise<void> {
    // Let the request that triggered us finish first, as a stream would.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.size) {
      const repo = this.pending.values().next().value as string;
      this.pending.delete(repo);
      await this.provision(repo);
    }
  }

  private async provision(repo: string): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const row = await this.deps.store.get(repo);
        await handleRepoChange(this.deps, { repo, status: row?.status });
        return;
      } catch (e) {
        // A stream would retry the record; so do we, then leave the row `provisioning` and say so.
        this.deps.log.error('provisioning attempt failed', { repo, attempt, error: (e as Error).message });
        if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
}
