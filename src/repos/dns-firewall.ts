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
  ListFirewallDomainsCommand,
  UpdateFirewallDomainsCommand,
  type Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import { OperationFailedError } from '../errors';
import { chunked, type DomainPlan } from './egress-sync';

export interface DomainList {
  readonly id: string;
  domains(): Promise<string[]>;
  apply(plan: DomainPlan): Promise<void>;
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
    const out: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new ListFirewallDomainsCommand({ FirewallDomainListId: this.id, MaxResults: 1000, NextToken }));
      out.push(...(page.Domains ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  async apply(plan: DomainPlan): Promise<void> {
    if (!plan.add.length && !plan.remove.length) return;
    await this.verifyName();
    for (const Domains of chunked(plan.add)) {
      await this.client.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: this.id, Operation: 'ADD', Domains }));
    }
    for (const Domains of chunked(plan.remove)) {
      await this.client.send(new UpdateFirewallDomainsCommand({ FirewallDomainListId: this.id, Operation: 'REMOVE', Domains }));
    }
  }

  private async verifyName(): Promise<void> {
    if (this.verified) return;
    const out = await this.client.send(new GetFirewallDomainListCommand({ FirewallDomainListId: this.id }));
    const name = out.FirewallDomainList?.Name;
    if (name !== this.expectedName) {
      throw new OperationFailedError(`domain list ${this.id} is "${name}", not the onboarded list "${this.expectedName}": refusing to change it`, 'WRONG_DOMAIN_LIST');
    }
    this.verified = true;
  }
}
