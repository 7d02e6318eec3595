/**
 * The one builder of the `/abca/<env>/platform` document: from the environment's names and the
 * values only the deployed resources know, to the PlatformConfig every layer reads. The stack
 * (values are Terraform tokens there), the local bootstrap and the image-pointer custom resource
 * all build it here, so a new key is added in one place.
 */
import { z } from 'zod';
import type { PlatformNames } from './names';
import { PlatformConfigSchema, type PlatformConfig } from './platform-config';
import { CANARY_ENDPOINT, LIVE_ENDPOINT } from './runtime-spec';

/** What the deployed resources say; everything else derives from the env's names. */
export interface PlatformResources {
  region: string;
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  agentRuntimeId: string;
  agentRuntimeArn: string;
  ecrRepositoryUrl: string;
  /** Default: the name the env's names give (the stack passes the resource's, for the dependency). */
  ecrRepositoryName?: string;
  /** Default: the names' tables (the stack passes the resources', for the dependency). */
  tables?: PlatformConfig['tables'];
  /** The named endpoints' ARNs (names are fixed: LIVE_ENDPOINT, CANARY_ENDPOINT). */
  liveEndpointArn?: string;
  canaryEndpointArn?: string;
  /** The DNS Firewall list the API maintains; empty where there is none (local mode). */
  onboardedDomainListId?: string;
}

export function platformDocument(names: PlatformNames, resources: PlatformResources): PlatformConfig {
  return {
    ...runtimePlatform(names, resources),
    apiUrl: resources.apiUrl,
    userPoolId: resources.userPoolId,
    userPoolClientId: resources.userPoolClientId,
    guardrailsParameter: names.parameters.guardrails,
    secretPrefix: names.secretPrefix,
    tables: resources.tables ?? { ...names.tables },
    onboardedDomainListId: resources.onboardedDomainListId ?? '',
  };
}

/**
 * The part of the document the runtime layer (publish, rollback, status, re-apply) reads. The
 * image-pointer custom resource gets only this from its Terraform input: no API, Cognito or
 * guardrails values that it would have to invent.
 */
export const RuntimePlatformSchema = PlatformConfigSchema.pick({
  env: true,
  region: true,
  agentRuntimeId: true,
  agentRuntimeArn: true,
  agentRuntimeName: true,
  ecrRepositoryName: true,
  ecrRepositoryUrl: true,
  imagePointerParameter: true,
  liveEndpoint: true,
  canaryEndpoint: true,
  liveEndpointArn: true,
  canaryEndpointArn: true,
}).extend({ tables: PlatformConfigSchema.shape.tables.pick({ audit: true, locks: true }) });
export type RuntimePlatform = z.infer<typeof RuntimePlatformSchema>;

export function runtimePlatform(
  names: PlatformNames,
  resources: Pick<
    PlatformResources,
    'region' | 'agentRuntimeId' | 'agentRuntimeArn' | 'ecrRepositoryUrl' | 'ecrRepositoryName' | 'tables' | 'liveEndpointArn' | 'canaryEndpointArn'
  >,
): RuntimePlatform {
  const tables = resources.tables ?? names.tables;
  return {
    env: names.env,
    region: resources.region,
    agentRuntimeId: resources.agentRuntimeId,
    agentRuntimeArn: resources.agentRuntimeArn,
    agentRuntimeName: names.agentRuntime,
    ecrRepositoryName: resources.ecrRepositoryName ?? names.ecrRepository,
    ecrRepositoryUrl: resources.ecrRepositoryUrl,
    imagePointerParameter: names.parameters.imagePointer,
    liveEndpoint: LIVE_ENDPOINT,
    canaryEndpoint: CANARY_ENDPOINT,
    liveEndpointArn: resources.liveEndpointArn ?? '',
    canaryEndpointArn: resources.canaryEndpointArn ?? '',
    tables: { audit: tables.audit, locks: tables.locks },
  };
}
