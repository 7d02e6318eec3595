/**
 * Application layer resources Terraform creates but never moves: the ECR repository, the image
 * pointer, the AgentCore runtime (on `<repository>@<pointer digest>`) and its execution role, and
 * the image-pointer custom resource that makes every infra deploy end with runtime == pointer.
 *
 * Terraform ignores later changes to the pointer's value and the runtime's artifact: CI publishes
 * those (scripts/publish-runtime.ts), so an infra deploy never reverts a publish.
 */
import { Construct } from 'constructs';
import { Annotations, Fn } from 'cdktf';
import { BedrockagentcoreAgentRuntime } from '@cdktf/provider-aws/lib/bedrockagentcore-agent-runtime';
import { BedrockagentcoreAgentRuntimeEndpoint } from '@cdktf/provider-aws/lib/bedrockagentcore-agent-runtime-endpoint';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaInvocation } from '@cdktf/provider-aws/lib/lambda-invocation';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { DEFAULT_GUARDRAILS } from '../../src/platform/guardrails';
import { AGENT_TASK_ATTRIBUTES } from '../../src/tasks/agent-attributes';
import type { PlatformNames } from '../../src/platform/names';
import {
  CANARY_ENDPOINT,
  containerUri,
  IMAGE_DIGEST_PATTERN,
  LIVE_ENDPOINT,
  RUNTIME_LIFECYCLE,
  RUNTIME_PROTOCOL,
  runtimeEnvironment,
} from '../../src/platform/runtime-spec';
import { arnIn, type AwsEnv } from '../lib/aws-env';
import { policy, serviceTrust, trustPolicy, workloadIdentity, type Statement, type TrustStatement } from '../lib/iam';
import type { Data } from './data';
import { HandlerFunction } from './handler-function';
import type { Network } from './network';

/**
 * The pointer's value when no initialImageDigest is given. It fails SSM's AllowedPattern, so a
 * first deploy without a digest stops at the pointer (before the runtime) instead of creating a
 * pointer that names no image; an existing pointer never sees it (ignore_changes).
 */
export const MISSING_INITIAL_DIGEST = 'unset: deploy with context initialImageDigest=sha256:... the first time (docs/infra.md)';

/**
 * ECR lifecycle: only untagged images ever expire. Every image CI pushes carries a unique,
 * immutable tag and a tag can never be moved or reused, so an image the pointer (or any earlier
 * pointer version, i.e. any rollback target) names is never selected by this rule.
 */
export const ECR_LIFECYCLE_POLICY = {
  rules: [
    {
      rulePriority: 1,
      description: 'Expire untagged images (build leftovers) 14 days after push; tagged images are never expired',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      action: { type: 'expire' },
    },
  ],
};

export const AGENTCORE_SERVICE = 'bedrock-agentcore.amazonaws.com';
/** The custom resource may take this long: UpdateAgentRuntime, then wait for READY. */
export const IMAGE_POINTER_TIMEOUT_SECONDS = 900;

export interface ApplicationProps {
  names: PlatformNames;
  aws: AwsEnv;
  network: Network;
  data: Data;
  initialImageDigest?: string;
  imagePointerBundleDir: string;
}

export class Application extends Construct {
  readonly repository: EcrRepository;
  readonly pointer: SsmParameter;
  readonly runtime: BedrockagentcoreAgentRuntime;
  /** `live`: what tasks invoke. `canary`: where publish smokes a new version before `live` moves. */
  readonly liveEndpoint: BedrockagentcoreAgentRuntimeEndpoint;
  readonly canaryEndpoint: BedrockagentcoreAgentRuntimeEndpoint;
  readonly executionRole: IamRole;
  readonly sessionRole: IamRole;
  readonly imagePointerFunction: HandlerFunction;
  readonly imagePointerInvocation: LambdaInvocation;
  /** sha256 over the runtime configuration Terraform manages (everything but the artifact). */
  readonly runtimeConfigHash: string;

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    const { names, aws, network, data } = props;

    this.repository = new EcrRepository(this, 'repository', {
      name: names.ecrRepository,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
    });
    new EcrLifecyclePolicy(this, 'repository-lifecycle', { repository: this.repository.name, policy: JSON.stringify(ECR_LIFECYCLE_POLICY) });

    if (!props.initialImageDigest) {
      Annotations.of(this).addInfo('initialImageDigest not set: fine for an existing environment; a first deploy needs it (docs/infra.md)');
    }
    this.pointer = new SsmParameter(this, 'image-pointer', {
      name: names.parameters.imagePointer,
      description: 'Image digest the AgentCore runtime serves; moved only by publish-runtime (the script or bgagent runtime publish)',
      type: 'String',
      tier: 'Standard',
      dataType: 'text',
      allowedPattern: IMAGE_DIGEST_PATTERN,
      // A digest is no secret: insecure_value keeps it visible in plans.
      insecureValue: props.initialImageDigest ?? MISSING_INITIAL_DIGEST,
      // The publisher owns the value and writes a description per version.
      lifecycle: { ignoreChanges: ['insecure_value', 'description'] },
    });

    this.executionRole = new IamRole(this, 'execution-role', {
      name: names.roles.runtimeExecution,
      description: `AgentCore runtime ${names.agentRuntime}`,
      assumeRolePolicy: serviceTrust(AGENTCORE_SERVICE, aws.accountId, `arn:${aws.partition}:bedrock-agentcore:${aws.region}:${aws.accountId}:*`),
    });
    new IamRolePolicy(this, 'execution-policy', {
      name: 'runtime',
      role: this.executionRole.name,
      policy: policy(runtimeStatements(names, aws, this.repository.arn, data)),
    });
    this.sessionRole = new IamRole(this, 'session-role', {
      name: names.roles.agentSession,
      description: `Per-task session of the ${names.agentRuntime} agent: its own task row only`,
      assumeRolePolicy: trustPolicy(sessionTrustStatements(names, aws)),
      // Role chaining caps a session at 1 hour; the agent re-assumes (as upstream's does).
      maxSessionDuration: 3600,
    });
    new IamRolePolicy(this, 'session-policy', {
      name: 'own-task-row',
      role: this.sessionRole.name,
      policy: policy(sessionStatements(data)),
    });

    this.runtime = new BedrockagentcoreAgentRuntime(this, 'runtime', {
      agentRuntimeName: names.agentRuntime,
      description: `ABCA agent runtime (${names.env})`,
      roleArn: this.executionRole.arn,
      agentRuntimeArtifact: [{ containerConfiguration: [{ containerUri: containerUri(this.repository.repositoryUrl, this.pointer.insecureValue) }] }],
      networkConfiguration: [
        { networkMode: 'VPC', networkModeConfig: [{ subnets: network.privateSubnetIds, securityGroups: [network.runtimeSecurityGroup.id] }] },
      ],
      protocolConfiguration: [{ serverProtocol: RUNTIME_PROTOCOL }],
      lifecycleConfiguration: [{ ...RUNTIME_LIFECYCLE }],
      environmentVariables: runtimeEnvironment(names, aws.region, aws.accountId),
      // Publishes move the artifact; Terraform keeps whatever is live.
      lifecycle: { ignoreChanges: ['agent_runtime_artifact'] },
    });

    // Named endpoints start on the runtime's first version; afterwards publish moves them (canary
    // first, live after the smoke), so Terraform ignores their version as it ignores the artifact.
    const endpoint = (id: string, name: string, what: string) =>
      new BedrockagentcoreAgentRuntimeEndpoint(this, id, {
        agentRuntimeId: this.runtime.agentRuntimeId,
        name,
        description: what,
        agentRuntimeVersion: this.runtime.agentRuntimeVersion,
        lifecycle: { ignoreChanges: ['agent_runtime_version'] },
      });
    this.liveEndpoint = endpoint('live-endpoint', LIVE_ENDPOINT, 'What tasks invoke; moved by publish only after the smoke check passed');
    this.canaryEndpoint = endpoint('canary-endpoint', CANARY_ENDPOINT, 'Where publish smokes a new version before live moves');

    this.imagePointerFunction = new HandlerFunction(this, 'image-pointer-fn', {
      functionName: names.functions.imagePointer,
      roleName: names.roles.imagePointerFn,
      description: `Re-applies ${names.parameters.imagePointer} to ${names.agentRuntime}`,
      bundleDir: props.imagePointerBundleDir,
      environment: { ABCA_ENV: names.env },
      timeoutSeconds: IMAGE_POINTER_TIMEOUT_SECONDS,
      memoryMb: 256,
      statements: imagePointerStatements(
        this.pointer.arn,
        this.repository.arn,
        this.runtime.agentRuntimeArn,
        this.executionRole.arn,
        props.data.tables.audit.arn,
        [
          // `<runtime ARN>/runtime-endpoint/<name>` (Service Authorization Reference): both named endpoints.
          `${this.runtime.agentRuntimeArn}/runtime-endpoint/${LIVE_ENDPOINT}`,
          `${this.runtime.agentRuntimeArn}/runtime-endpoint/${CANARY_ENDPOINT}`,
        ],
      ),
    });

    // Every attribute of the runtime Terraform may change (all but the artifact): when any of them
    // changes, the hash changes, the invocation's input changes, and Terraform invokes with
    // action "update" after updating the runtime (an input change updates in place; `triggers`
    // would replace the resource and send delete + create).
    this.runtimeConfigHash = Fn.sha256(
      Fn.jsonencode({
        roleArn: this.runtime.roleArn,
        networkConfiguration: this.runtime.interpolationForAttribute('network_configuration'),
        environmentVariables: this.runtime.interpolationForAttribute('environment_variables'),
        protocolConfiguration: this.runtime.interpolationForAttribute('protocol_configuration'),
        lifecycleConfiguration: this.runtime.interpolationForAttribute('lifecycle_configuration'),
        description: this.runtime.description,
      }),
    );
    this.imagePointerInvocation = new LambdaInvocation(this, 'image-pointer-sync', {
      functionName: this.imagePointerFunction.fn.functionName,
      lifecycleScope: 'CRUD',
      terraformKey: 'tf',
      input: Fn.jsonencode({
        env: names.env,
        region: aws.region,
        imagePointerParameter: names.parameters.imagePointer,
        ecrRepositoryName: this.repository.name,
        ecrRepositoryUrl: this.repository.repositoryUrl,
        agentRuntimeId: this.runtime.agentRuntimeId,
        agentRuntimeArn: this.runtime.agentRuntimeArn,
        agentRuntimeName: names.agentRuntime,
        liveEndpoint: LIVE_ENDPOINT,
        canaryEndpoint: CANARY_ENDPOINT,
        runtimeRoleArn: this.executionRole.arn,
        configHash: this.runtimeConfigHash,
      }),
    });
  }
}

/**
 * Bedrock resources for a model id: a cross-region inference profile (`us.…`, `eu.…`) in this
 * account, and the foundation models it routes to in any region; a plain model id is a foundation model.
 */
export function modelResources(modelId: string, aws: AwsEnv): string[] {
  const profile = /^(us|eu|apac|global|us-gov|ca|jp|au)\.(.+)$/.exec(modelId);
  const foundation = profile ? profile[2]! : modelId;
  return [
    `arn:${aws.partition}:bedrock:*::foundation-model/${foundation}`,
    ...(profile ? [`arn:${aws.partition}:bedrock:${aws.region}:${aws.accountId}:inference-profile/${modelId}`] : []),
  ];
}

/**
 * What the agent in the runtime may do, and no more: pull its image, log, trace, call the models
 * the guardrails allow by default, and write exactly its own attributes of its task row (heartbeats
 * and the outcome) only through its per-task session role (sessionStatements). It reads no
 * repository row, no audit table and no secret: the task's configuration comes in the invocation.
 */
export function runtimeStatements(names: PlatformNames, aws: AwsEnv, repositoryArn: string, _data?: Pick<Data, 'tables'>): Statement[] {
  const arn = arnIn(aws);
  return [
    { Sid: 'PullImage', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: repositoryArn },
    // AWS offers no resource-level permission for the registry login token.
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: [arn('logs', 'log-group:/aws/bedrock-agentcore/runtimes/*'), arn('logs', 'log-group:/aws/bedrock-agentcore/runtimes/*:log-stream:*')],
    },
    {
      Sid: 'Traces',
      Effect: 'Allow',
      Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      Resource: '*',
    },
    {
      Sid: 'Metrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'bedrock-agentcore' } },
    },
    {
      Sid: 'Models',
      Effect: 'Allow',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      // The guardrails' default list: a host who allows another model widens this on purpose.
      Resource: [...new Set(DEFAULT_GUARDRAILS.allowed_models.flatMap((m) => modelResources(m, aws)))],
    },
    workloadIdentity(arn, `${names.agentRuntime}-*`),
    // Its task row only through the per-task session role (sessionStatements): nothing here.
    {
      Sid: 'AssumeTaskSession',
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Resource: `arn:${aws.partition}:iam::${aws.accountId}:role/${names.roles.agentSession}`,
    },
  ];
}

/**
 * Who may assume the session role: the runtime's execution role. A session it tags must carry a
 * task_id (an untagged session resolves no `${aws:PrincipalTag/task_id}`, so it reaches no row).
 */
export function sessionTrustStatements(names: PlatformNames, aws: AwsEnv): TrustStatement[] {
  const runtime = { AWS: `arn:${aws.partition}:iam::${aws.accountId}:role/${names.roles.runtimeExecution}` };
  return [
    { Sid: 'RuntimeAssumes', Effect: 'Allow', Principal: runtime, Action: 'sts:AssumeRole' },
    { Sid: 'TaggedWithItsTask', Effect: 'Allow', Principal: runtime, Action: 'sts:TagSession', Condition: { Null: { 'aws:RequestTag/task_id': 'false' } } },
  ];
}

/**
 * The agent's per-task session (as upstream's AgentSessionRole): its own task row, pinned by
 * `dynamodb:LeadingKeys = ${aws:PrincipalTag/task_id}`, read (the cancel check) and updated in
 * exactly the contract's attributes (AGENT_TASK_ATTRIBUTES), with no values returned.
 */
export function sessionStatements(data: Pick<Data, 'tables'>): Statement[] {
  // `$${`: Terraform's escape, so AWS receives the policy variable `${aws:PrincipalTag/task_id}`.
  const taskTag = '$${aws:PrincipalTag/task_id}';
  const ownRow = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [taskTag] } };
  return [
    { Sid: 'ReadOwnTaskRow', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: data.tables.tasks.arn, Condition: ownRow },
    {
      Sid: 'TaskRowAgentAttributes',
      Effect: 'Allow',
      Action: 'dynamodb:UpdateItem',
      Resource: data.tables.tasks.arn,
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [taskTag], 'dynamodb:Attributes': [...AGENT_TASK_ATTRIBUTES] },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
      },
    },
  ];
}

/** What the image-pointer custom resource may do: read the pointer and the image, re-point the one runtime. */
export function imagePointerStatements(
  pointerArn: string,
  repositoryArn: string,
  runtimeArn: string,
  executionRoleArn: string,
  auditTableArn: string,
  endpointArns: string[] = [],
): Statement[] {
  return [
    { Sid: 'ReadPointer', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameterHistory'], Resource: pointerArn },
    // A re-apply ends as every move does: `live`/`previous` labels on the pointer's versions. Without
    // it every infra apply that changes the runtime's configuration fails (test/runtime/custom-resource-iam.test.ts).
    { Sid: 'LabelPointer', Effect: 'Allow', Action: 'ssm:LabelParameterVersion', Resource: pointerArn },
    { Sid: 'ReadImages', Effect: 'Allow', Action: ['ecr:DescribeImages', 'ecr:BatchGetImage'], Resource: repositoryArn },
    {
      Sid: 'Runtime',
      Effect: 'Allow',
      Action: [
        'bedrock-agentcore:GetAgentRuntime',
        'bedrock-agentcore:UpdateAgentRuntime',
        'bedrock-agentcore:ListAgentRuntimeVersions',
        'bedrock-agentcore:GetAgentRuntimeEndpoint',
        'bedrock-agentcore:UpdateAgentRuntimeEndpoint',
      ],
      Resource: [runtimeArn, ...endpointArns],
    },
    {
      Sid: 'PassRuntimeRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: executionRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': AGENTCORE_SERVICE } },
    },
    // A re-apply is a pointer move like any other: it goes into the audit history.
    { Sid: 'AuditReapply', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: auditTableArn },
  ];
}
