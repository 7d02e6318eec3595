/**
 * Thin adapter over Route 53 Resolver DNS Firewall for the onboarded-repositories domain list.
 * Decisions live in egress-sync.ts; this only reads the list and applies a plan with ADD and REMOVE
 * operations (never REPLACE, which would race with another writer).
 *
 * moto does not emulate DNS Firewall, so locally (where the platform names no list) the provisioner
 * runs without this adapter; tests cover the planning and the requests this adapter sends.
 */
import {
  GetFirewallDomainListCommand,
  paginateListFirewallDomains,
  UpdateFirewallDomainsCommand,
  type Route53ResolverClient,
  type UpdateFirewallDomainsCommandInput,
} from '@aws-sdk/client-route53resolver';
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

export class FirewallDomainList implements DomainList {
  private verified = false;

  /**
   * @param expectedName the onboarded list's name (`abca-<env>-onboarded`): checked before the
   *   first write, so a misconfigured id can never make the API edit the baseline list.
   */
  constructor(
    private readonly client: Route53ResolverClient,
    readonly id: string,
    private readonly expectedName: string,
  ) {}

  async domains(): Promise<string[]> {
    return allItems(paginateListFirewallDomains({ client: this.client, pageSize: 1000 }, { FirewallDomainListId: this.id }), (page) => page.Domains);
  }

  async apply(plan: DomainPlan): Promise<void> {
    if (!plan.add.length && !plan.remove.length) return;
    await this.verifyName();
    for (const input of updateRequests(this.id, plan)) await this.client.send(new UpdateFirewallDomainsCommand(input));
  }

  private async verifyName(): Promise<void> {
    if (this.verified) return;
    const out = await this.client.send(new GetFirewallDomainListCommand({ FirewallDomainListId: this.id }));
    assertOnboardedList(this.id, out.FirewallDomainList?.Name, this.expectedName);
    this.verified = true;
  }
}
