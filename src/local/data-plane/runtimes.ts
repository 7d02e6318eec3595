/**
 * Which image serves a call, as AgentCore decides it from the control plane (moto):
 *   runtime ARN + qualifier (endpoint name, DEFAULT when absent)
 *     → GetAgentRuntimeEndpoint: its liveVersion
 *     → GetAgentRuntime with that agentRuntimeVersion: its container URI → image digest
 *     → the image in ECR (must exist; its manifest's annotations can mark it faulty).
 */
import {
  GetAgentRuntimeCommand,
  GetAgentRuntimeEndpointCommand,
  paginateListAgentRuntimes,
  type BedrockAgentCoreControlClient,
  type GetAgentRuntimeCommandOutput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { BatchGetImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { awsErrorName, isAwsError } from '../../aws/errors';
import { allItems } from '../../aws/pages';
import { parseContainerUri } from '../../platform/runtime-spec';
import { DataPlaneError } from './errors';

export const FAULT_ANNOTATION = 'org.abca.local.agent-fault';
/** The shell command that runs this image's agent locally (from the project root), instead of agent/. */
export const COMMAND_ANNOTATION = 'org.abca.local.command';

/** `…:runtime/<id>` (AWS) or the ARN moto handed out (compared without a trailing `:<version>`). */
export function runtimeIdFromArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:runtime\/([A-Za-z][A-Za-z0-9_]{0,99}-[A-Za-z0-9]{10})$/.exec(arn);
  return m?.[1];
}

function baseArn(arn: string): string {
  return arn.replace(/:\d+$/, '');
}

/** What a new session runs: the version the endpoint serves, its configuration and its image. */
export interface ServedImage {
  runtimeId: string;
  qualifier: string;
  version: string;
  /** The version's configuration (its environment variables go to the agent). */
  config: GetAgentRuntimeCommandOutput;
  digest: string;
  /** The image's fault annotation, if any. */
  fault?: string;
  /** The image's local agent command (COMMAND_ANNOTATION), if any. */
  command?: string;
}

export class RuntimeResolver {
  constructor(
    private readonly control: BedrockAgentCoreControlClient,
    private readonly ecr: ECRClient,
  ) {}

  async runtime(arn: string): Promise<{ id: string; arn: string }> {
    const id = runtimeIdFromArn(arn);
    if (id) return { id, arn };
    const listed = await allItems(paginateListAgentRuntimes({ client: this.control }, {}), (page) => page.agentRuntimes);
    const found = listed.find((r) => r.agentRuntimeArn && baseArn(r.agentRuntimeArn) === baseArn(arn));
    if (!found) throw new DataPlaneError(404, 'ResourceNotFoundException', `no agent runtime ${arn}`);
    return { id: found.agentRuntimeId!, arn: found.agentRuntimeArn! };
  }

  /** The version the endpoint serves: liveVersion (DEFAULT follows the latest version, as in AgentCore). */
  async endpointVersion(runtimeId: string, qualifier: string): Promise<string> {
    try {
      const ep = await this.control.send(new GetAgentRuntimeEndpointCommand({ agentRuntimeId: runtimeId, endpointName: qualifier }));
      const version = ep.liveVersion ?? ep.targetVersion;
      if (!version) throw new DataPlaneError(424, 'RuntimeClientError', `endpoint ${qualifier} of ${runtimeId} serves no version yet`);
      return version;
    } catch (e) {
      if (e instanceof DataPlaneError) throw e;
      if (!isAwsError(e, 'ResourceNotFoundException')) throw e;
      if (qualifier !== 'DEFAULT') throw new DataPlaneError(404, 'ResourceNotFoundException', `no endpoint ${qualifier} on agent runtime ${runtimeId}`);
      // A control plane without an explicit DEFAULT endpoint: DEFAULT is the latest version.
      const latest = await this.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: runtimeId }));
      return latest.agentRuntimeVersion!;
    }
  }

  async imageFault(repositoryUrl: string, digest: string): Promise<string | undefined> {
    return (await this.imageAnnotations(repositoryUrl, digest))[FAULT_ANNOTATION];
  }

  /** The annotations of the image's manifest (RuntimeClientError when AgentCore could not pull it). */
  async imageAnnotations(repositoryUrl: string, digest: string): Promise<Record<string, string>> {
    const repositoryName = repositoryUrl.split('/').slice(1).join('/');
    const out = await this.ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageDigest: digest }] })).catch((e: unknown) => {
      // AgentCore cannot pull it: the session never starts.
      throw new DataPlaneError(424, 'RuntimeClientError', `the runtime's image ${repositoryUrl}@${digest} cannot be pulled (${awsErrorName(e) ?? 'error'})`);
    });
    const manifest = out.images?.[0]?.imageManifest;
    if (!manifest) throw new DataPlaneError(424, 'RuntimeClientError', `the runtime's image ${repositoryUrl}@${digest} is not in ECR`);
    return (JSON.parse(manifest) as { annotations?: Record<string, string> }).annotations ?? {};
  }

  /** The image a new session on `arn` / `qualifier` runs. */
  async served(arn: string, qualifier: string): Promise<ServedImage> {
    const runtime = await this.runtime(arn);
    const version = await this.endpointVersion(runtime.id, qualifier);
    const config = await this.control.send(new GetAgentRuntimeCommand({ agentRuntimeId: runtime.id, agentRuntimeVersion: version }));
    const uri = config.agentRuntimeArtifact?.containerConfiguration?.containerUri ?? '';
    const image = parseContainerUri(uri);
    if (!image) throw new DataPlaneError(424, 'RuntimeClientError', `version ${version} of ${runtime.id} has no digest-pinned container URI (${uri})`);
    const annotations = await this.imageAnnotations(image.repositoryUrl, image.digest);
    const [fault, command] = [annotations[FAULT_ANNOTATION], annotations[COMMAND_ANNOTATION]];
    return { runtimeId: runtime.id, qualifier, version, config, digest: image.digest, ...(fault ? { fault } : {}), ...(command ? { command } : {}) };
  }
}
