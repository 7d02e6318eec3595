/**
 * Thin adapter over Route 53 Resolver DNS Firewall for the onboarded-repositories domain list.
 * Decisions live in egress-sync.ts; this only reads the list and applies a plan with ADD and REMOVE
 * operations (never REPLACE, which would race with another writer).
 *
 * A list is UPDATING after each UpdateFirewallDomains and only then COMPLETE; AWS refuses another
 * update meanwhile (ConflictException: "The requested state transition isn't valid"; Route 53 API
 * Reference, UpdateFirewallDomains and FirewallDomainList). So before each update the adapter waits,
 * bounded and with progress, until GetFirewallDomainList says COMPLETE. The local emulator models
 * these states (src/local/emulator/route53resolver_states.py).
 */
import {
  GetFirewallDomainListCommand,
  paginateListFirewallDomains,
  UpdateFirewallDomainsCommand,
  type Route53ResolverClient,
  type UpdateFirewallDomainsCommandInput,
} from '@aws-sdk/client-route53resolver';
import { isAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import { OperationFailedError } from '../errors';
import { chunked, type DomainPlan } from './egress-sync';

export interface DomainList {
  readonly id: string;
  domains(): Promise<string[]>;
  apply(plan: DomainPlan): Promise<void>;
}

/** The UpdateFirewallDomains calls that apply a plan: additions first, then removals, 1000 at a time. */
export function updateRequests(listId: string, plan: DomainPlan): UpdateFirewallDomainsCommandInput[] {
  return [
    ...chunked(plan.add).map((Domains) => ({ FirewallDomainListId: listId, Operation: 'ADD' as const, Domains })),
    ...chunked(plan.remove).map((Domains) => ({ FirewallDomainListId: listId, Operation: 'REMOVE' as const, Domains })),
  ];
}

/** Refuses any list but the onboarded one (by name), so a wrong id can never edit the baseline. */
export function assertOnboardedList(listId: string, name: string | undefined, expectedName: string): void {
  if (name !== expectedName) {
    throw new OperationFailedError(`domain list ${listId} is "${name}", not the onboarded list "${expectedName}": refusing to change it`, 'WRONG_DOMAIN_LIST');
  }
}

/** How long to wait for a list to leave UPDATING, and how to tell. */
export interface ListWaitOptions {
  /** Give up after this long (default 120 s: updates of a list take seconds to a minute). */
  timeoutMs?: number;
  /** Between reads (default 2 s). */
  pollMs?: number;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Pure: what to do with a list in this status before updating it. */
export function listReadiness(status: string | undefined): 'ready' | 'wait' | 'failed' {
  if (status === 'COMPLETE' || status === 'COMPLETE_IMPORT_FAILED') return 'ready';
  if (status === 'UPDATING' || status === 'IMPORTING') return 'wait';
  return 'failed'; // DELETING, or a status this code does not know
}

export class FirewallDomainList implements DomainList {
  private readonly wait: Required<ListWaitOptions>;

  /**
   * @param expectedName the onboarded list's name (`abca-<env>-onboarded`): checked before the
   *   first write, so a misconfigured id can never make the API edit the baseline list.
   */
  constructor(
    private readonly client: Route53ResolverClient,
    readonly id: string,
    private readonly expectedName: string,
    wait: ListWaitOptions = {},
  ) {
    this.wait = {
      timeoutMs: wait.timeoutMs ?? 120_000,
      pollMs: wait.pollMs ?? 2_000,
      log: wait.log ?? (() => {}),
      sleep: wait.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now: wait.now ?? Date.now,
    };
  }

  async domains(): Promise<string[]> {
    return allItems(paginateListFirewallDomains({ client: this.client, pageSize: 1000 }, { FirewallDomainListId: this.id }), (page) => page.Domains);
  }

  async apply(plan: DomainPlan): Promise<void> {
    if (!plan.add.length && !plan.remove.length) return;
    for (const input of updateRequests(this.id, plan)) {
      for (;;) {
        await this.waitComplete();
        try {
          await this.client.send(new UpdateFirewallDomainsCommand(input));
          break;
        } catch (e) {
          // Another writer's update landed between our read and ours: wait for it, then ours.
          if (!isAwsError(e, 'ConflictException')) throw e;
          this.wait.log(`DNS Firewall list ${this.id} changed state before our update (ConflictException): waiting again`);
        }
      }
    }
  }

  /** Reads the list until it is COMPLETE (checking it is the onboarded one), or fails after the timeout. */
  private async waitComplete(): Promise<void> {
    const { timeoutMs, pollMs, log, sleep, now } = this.wait;
    const started = now();
    for (let read = 1; ; read++) {
      const out = await this.client.send(new GetFirewallDomainListCommand({ FirewallDomainListId: this.id }));
      assertOnboardedList(this.id, out.FirewallDomainList?.Name, this.expectedName);
      const status = out.FirewallDomainList?.Status;
      const readiness = listReadiness(status);
      if (readiness === 'ready') return;
      if (readiness === 'failed')
        throw new OperationFailedError(`DNS Firewall list ${this.id} is ${status ?? 'in no status'}: it cannot be updated`, 'DOMAIN_LIST_BUSY');
      const waited = now() - started;
      if (waited + pollMs > timeoutMs) {
        throw new OperationFailedError(
          `DNS Firewall list ${this.id} is still ${status} after ${Math.round(waited / 1000)} s: try the sync again later`,
          'DOMAIN_LIST_BUSY',
        );
      }
      log(`DNS Firewall list ${this.id} is ${status}: waiting for COMPLETE before the next update (read ${read}, ${Math.round(waited / 1000)} s)`);
      await sleep(pollMs);
    }
  }
}
