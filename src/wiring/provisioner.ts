/** The wiring of the provisioner: the stream Lambda and the local server's in-process provisioner. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { route53ResolverClient, type AwsClients } from '../aws/clients';
import { platformNames } from '../platform/names';
import type { PlatformConfig } from '../platform/platform-config';
import { ConfigAudit } from '../audit/config';
import { FirewallDomainList } from '../repos/dns-firewall';
import type { ProvisionerDeps } from '../repos/provisioner';
import { RepoStore } from '../repos/store';

/** The provisioner's dependencies, for the stream Lambda and the local server's in-process provisioner. */
export function buildProvisionerDeps(opts: { env: string; platform: PlatformConfig; clients: AwsClients; log: Logger }): ProvisionerDeps {
  const { platform, clients } = opts;
  const listId = platform.onboardedDomainListId;
  return {
    store: new RepoStore(clients.doc, platform.tables.repos),
    secrets: clients.secrets,
    audit: new ConfigAudit(clients.doc, platform.tables.audit, opts.env),
    // No list where DNS Firewall is not deployed (local mode: moto does not emulate it).
    domainList: listId
      ? new FirewallDomainList(route53ResolverClient({ region: platform.region }), listId, platformNames(opts.env).dnsFirewall.onboardedList)
      : undefined,
    log: opts.log,
  };
}
