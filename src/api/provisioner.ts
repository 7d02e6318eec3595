/**
 * The provisioner's wiring, shared by the stream Lambda (provisioner-lambda.ts) and the local server
 * (in-process). Its logic is in src/repos/provisioner.ts.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type { AwsClients } from '../aws/clients';
import { platformNames } from '../platform/names';
import type { PlatformConfig } from '../platform/platform-config';
import { ConfigAudit } from '../repos/audit';
import { FirewallDomainList } from '../repos/dns-firewall';
import type { ProvisionerDeps } from '../repos/provisioner';
import { RepoStore } from '../repos/store';

export { handleRepoChange, provisionRepo, syncEgress, type ProvisionOutcome, type ProvisionerDeps, type RepoChange } from '../repos/provisioner';
export { LocalProvisioner } from './local-provisioner';

export function buildProvisionerDeps(opts: { env: string; platform: PlatformConfig; clients: AwsClients; log: Logger }): ProvisionerDeps {
  const { platform, clients } = opts;
  const listId = platform.onboardedDomainListId;
  return {
    store: new RepoStore(clients.doc, platform.tables.repos),
    secrets: clients.secrets,
    audit: new ConfigAudit(clients.doc, platform.tables.audit, opts.env),
    // No list where DNS Firewall is not deployed (local mode: moto does not emulate it).
    domainList: listId
      ? new FirewallDomainList(new Route53ResolverClient({ region: platform.region }), listId, platformNames(opts.env).dnsFirewall.onboardedList)
      : undefined,
    log: opts.log,
  };
}
