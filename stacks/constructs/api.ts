/**
 * API: REST API Gateway (regional) in front of the bundled API Lambda, a Lambda REQUEST authorizer
 * (Cognito access tokens and scoped API keys), stage throttling, JSON access logs, a regional WAF
 * web ACL (AWS managed rule sets + a per-IP rate rule), and the provisioner Lambda fed by the repos
 * table's stream.
 */
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { ApiGatewayAccount } from '@cdktf/provider-aws/lib/api-gateway-account';
import { ApiGatewayAuthorizer } from '@cdktf/provider-aws/lib/api-gateway-authorizer';
import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayMethodSettings } from '@cdktf/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import type { PlatformNames } from '../../src/platform/names';
import { arnIn, type AwsEnv } from '../lib/aws-env';
import { serviceTrust, type Statement } from '../lib/iam';
import type { Auth } from './auth';
import type { Data } from './data';
import { HandlerFunction, LOG_RETENTION_DAYS } from './handler-function';

export const API_STAGE = 'live';
export const API_THROTTLE = { burstLimit: 100, rateLimit: 50 } as const;
/** Requests per 5 minutes from one IP before WAF blocks it. */
export const WAF_RATE_LIMIT = 1000;
export const WAF_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;
/**
 * Managed rules set to count instead of block. The common rule set's SizeRestrictions_BODY blocks
 * bodies over 8 KB, while the API takes up to 256 KB (Cedar policies, prompts, task descriptions)
 * and enforces that limit itself (413 PAYLOAD_TOO_LARGE, src/api/middleware.ts).
 */
export const WAF_RULE_OVERRIDES: Readonly<Record<string, readonly string[]>> = { AWSManagedRulesCommonRuleSet: ['SizeRestrictions_BODY'] };
/** The API function's timeout (API Gateway's integration limit): a submit and a task start fit well inside. */
export const API_TIMEOUT_SECONDS = 29;

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  user: '$context.authorizer.principalId',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integration.error',
  authorizerError: '$context.authorizer.error',
  wafStatus: '$context.waf.status',
});

/** Gateway-generated errors use the API's error shape: {"error":{"code","message"}}. */
const GATEWAY_ERROR_TEMPLATE = '{"error":{"code":"$context.error.responseType","message":$context.error.messageString}}';

export interface ApiProps {
  names: PlatformNames;
  aws: AwsEnv;
  data: Data;
  auth: Auth;
  /** Route 53 Resolver domain list the provisioner maintains. */
  onboardedDomainList: { id: string; arn: string };
  /** The platform's AgentCore runtime: tasks invoke it. */
  agentRuntimeArn: string;
  apiBundleDir: string;
  provisionerBundleDir: string;
  manageApiGatewayAccount: boolean;
}

export class Api extends Construct {
  readonly restApi: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  readonly webAcl: Wafv2WebAcl;
  readonly apiFunction: HandlerFunction;
  readonly provisionerFunction: HandlerFunction;
  /** Base URL of the API (routes are under `${url}/v1`). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { names, aws, data, auth } = props;
    const t = data.tables;
    const arn = arnIn(aws);
    const parameterArn = (name: string) => arn('ssm', `parameter${name}`);
    const environment: Record<string, string> = {
      ABCA_ENV: names.env,
      PLATFORM_PARAMETER: names.parameters.platform,
      GUARDRAILS_PARAMETER: names.parameters.guardrails,
      REPOS_TABLE: t.repos.name,
      TASKS_TABLE: t.tasks.name,
      AUDIT_TABLE: t.audit.name,
      API_KEYS_TABLE: t.apiKeys.name,
      USER_POOL_ID: auth.userPool.id,
      USER_POOL_CLIENT_ID: auth.client.id,
      SECRET_PREFIX: names.secretPrefix,
      ONBOARDED_DOMAIN_LIST_ID: props.onboardedDomainList.id,
      TASK_RUNNER_FUNCTION: names.functions.reconciler,
    };
    const readConfig: Statement = {
      Sid: 'ReadPlatformConfig',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: [parameterArn(names.parameters.platform), parameterArn(names.parameters.guardrails)],
    };
    // Existence checks only: the control plane never reads a token's value.
    const describeSecrets: Statement = {
      Sid: 'CheckTokenSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:DescribeSecret',
      Resource: arn('secretsmanager', `secret:${names.secretPrefix}*`),
    };
    // `PUT /v1/repos/{owner}/{repo}/github-token` writes (never reads) the token, under its own prefix.
    const writeTokens: Statement = {
      Sid: 'WriteGithubTokens',
      Effect: 'Allow',
      Action: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
      Resource: arn('secretsmanager', `secret:${names.secretPrefix}github-token/*`),
    };

    this.apiFunction = new HandlerFunction(this, 'api-fn', {
      functionName: names.functions.api,
      roleName: names.roles.apiFn,
      description: `ABCA API (${names.env})`,
      bundleDir: props.apiBundleDir,
      environment,
      timeoutSeconds: API_TIMEOUT_SECONDS,
      memoryMb: 1024,
      statements: [
        readConfig,
        describeSecrets,
        writeTokens,
        {
          Sid: 'Repos',
          Effect: 'Allow',
          Action: [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:Query',
            'dynamodb:Scan',
            'dynamodb:ConditionCheckItem',
          ],
          Resource: [t.repos.arn, `${t.repos.arn}/index/*`],
        },
        {
          Sid: 'ApiKeys',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan'],
          Resource: t.apiKeys.arn,
        },
        // Tasks move state with conditional updates; listing without a repository scans.
        {
          Sid: 'Tasks',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan'],
          Resource: [t.tasks.arn, `${t.tasks.arn}/index/*`],
        },
        // A task starts in an asynchronous invocation of this same function, which starts the agent's
        // session (InvokeAgentRuntime answers at once); cancel stops the session.
        // Tasks start in the reconciler function, which may read their tokens (TASK_RUNNER_FUNCTION).
        {
          Sid: 'RunTasks',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [arn('lambda', `function:${names.functions.api}`), arn('lambda', `function:${names.functions.reconciler}`)],
        },
        {
          Sid: 'InvokeAgent',
          Effect: 'Allow',
          Action: [
            'bedrock-agentcore:InvokeAgentRuntime',
            // A task start names the submitter (runtimeUserId), which AgentCore authorizes as this action too.
            'bedrock-agentcore:InvokeAgentRuntimeForUser',
            'bedrock-agentcore:StopRuntimeSession',
            // The version `live` serves, recorded on each task at start.
            'bedrock-agentcore:GetAgentRuntimeEndpoint',
          ],
          Resource: [props.agentRuntimeArn, `${props.agentRuntimeArn}/runtime-endpoint/*`],
        },
        // Append-only: the API adds audit events and reads them, never changes one.
        { Sid: 'Audit', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'], Resource: t.audit.arn },
        // GET /v1/environment (the console): what the pointer, the runtime and its endpoints say.
        { Sid: 'ReadRelease', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameterHistory'], Resource: parameterArn(names.parameters.imagePointer) },
        {
          Sid: 'ReadRuntime',
          Effect: 'Allow',
          Action: ['bedrock-agentcore:GetAgentRuntime', 'bedrock-agentcore:GetAgentRuntimeEndpoint'],
          Resource: [props.agentRuntimeArn, `${props.agentRuntimeArn}/runtime-endpoint/*`],
        },
        // /v1/users (admins, from the console or bgagent admin user): the platform's own pool only.
        {
          Sid: 'ManageUsers',
          Effect: 'Allow',
          Action: [
            'cognito-idp:AdminCreateUser',
            'cognito-idp:AdminDeleteUser',
            'cognito-idp:AdminSetUserPassword',
            'cognito-idp:AdminAddUserToGroup',
            'cognito-idp:AdminUserGlobalSignOut',
            'cognito-idp:ListUsers',
            'cognito-idp:ListUsersInGroup',
          ],
          Resource: arn('cognito-idp', 'userpool/*'),
          Condition: { StringEquals: { 'aws:ResourceTag/abca:env': names.env } },
        },
        // API key management re-checks the caller's groups (an access token outlives a group removal).
        {
          Sid: 'RecheckGroups',
          Effect: 'Allow',
          Action: 'cognito-idp:AdminListGroupsForUser',
          Resource: arn('cognito-idp', 'userpool/*'),
          Condition: { StringEquals: { 'aws:ResourceTag/abca:env': names.env } },
        },
      ],
    });

    this.provisionerFunction = new HandlerFunction(this, 'provisioner-fn', {
      functionName: names.functions.provisioner,
      roleName: names.roles.provisionerFn,
      description: `ABCA repository provisioner (${names.env})`,
      bundleDir: props.provisionerBundleDir,
      environment,
      timeoutSeconds: 120,
      memoryMb: 512,
      statements: [
        readConfig,
        describeSecrets,
        {
          Sid: 'ReposStream',
          Effect: 'Allow',
          Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
          Resource: `${t.repos.arn}/stream/*`,
        },
        {
          Sid: 'Repos',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
          Resource: [t.repos.arn, `${t.repos.arn}/index/*`],
        },
        { Sid: 'Audit', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: t.audit.arn },
        {
          Sid: 'OnboardedDomains',
          Effect: 'Allow',
          Action: ['route53resolver:GetFirewallDomainList', 'route53resolver:ListFirewallDomains', 'route53resolver:UpdateFirewallDomains'],
          Resource: props.onboardedDomainList.arn,
        },
      ],
    });
    new LambdaEventSourceMapping(this, 'repos-stream', {
      eventSourceArn: t.repos.streamArn,
      functionName: this.provisionerFunction.fn.arn,
      startingPosition: 'LATEST',
      batchSize: 10,
      maximumRetryAttempts: 5,
      maximumRecordAgeInSeconds: 3600,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ['ReportBatchItemFailures'],
    });

    // --- REST API ---------------------------------------------------------------------------
    this.restApi = new ApiGatewayRestApi(this, 'rest-api', {
      name: names.api,
      description: `ABCA control plane (${names.env})`,
      endpointConfiguration: { types: ['REGIONAL'] },
    });
    // A Cognito authorizer would turn away `X-Api-Key` callers, so the API function itself
    // authorizes (src/api/authorizer.ts): a Cognito access token or a scoped API key, either one.
    // Caching is off, so a revoked key stops at once. Identity sources are all required when
    // present, and Terraform cannot leave them empty: `context.requestId` is always there (and,
    // should caching ever be turned on, would key nothing to another caller).
    const authorizer = new ApiGatewayAuthorizer(this, 'authorizer', {
      name: 'cognito-or-api-key',
      restApiId: this.restApi.id,
      type: 'REQUEST',
      authorizerUri: this.apiFunction.fn.invokeArn,
      authorizerResultTtlInSeconds: 0,
      identitySource: 'context.requestId',
    });
    new LambdaPermission(this, 'invoke-as-authorizer', {
      statementId: 'AllowApiGatewayAuthorizer',
      action: 'lambda:InvokeFunction',
      functionName: this.apiFunction.fn.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.restApi.executionArn}/authorizers/${authorizer.id}`,
    });
    const v1 = new ApiGatewayResource(this, 'v1', { restApiId: this.restApi.id, parentId: this.restApi.rootResourceId, pathPart: 'v1' });
    const proxy = new ApiGatewayResource(this, 'v1-proxy', { restApiId: this.restApi.id, parentId: v1.id, pathPart: '{proxy+}' });
    const openapi = new ApiGatewayResource(this, 'v1-openapi', { restApiId: this.restApi.id, parentId: v1.id, pathPart: 'openapi.json' });

    const proxyMethod = new ApiGatewayMethod(this, 'v1-proxy-any', {
      restApiId: this.restApi.id,
      resourceId: proxy.id,
      httpMethod: 'ANY',
      authorization: 'CUSTOM',
      authorizerId: authorizer.id,
      requestParameters: { 'method.request.path.proxy': true },
    });
    // The API description is public, like any OpenAPI document. Everything else under /v1 goes
    // through the authorizer, and the handler authenticates again and checks the permission.
    const openapiMethod = new ApiGatewayMethod(this, 'v1-openapi-get', {
      restApiId: this.restApi.id,
      resourceId: openapi.id,
      httpMethod: 'GET',
      authorization: 'NONE',
    });
    // The workshop console (src/console): static files and its public sign-in settings, served by
    // the same function without the authorizer (the page signs in, then calls /v1 with a token).
    // GET only: nothing else reaches the function through these two routes.
    const consoleRoot = new ApiGatewayResource(this, 'console', { restApiId: this.restApi.id, parentId: this.restApi.rootResourceId, pathPart: 'console' });
    const consoleProxy = new ApiGatewayResource(this, 'console-proxy', { restApiId: this.restApi.id, parentId: consoleRoot.id, pathPart: '{proxy+}' });
    const consoleMethods = [consoleRoot, consoleProxy].map(
      (resource, i) =>
        new ApiGatewayMethod(this, `console-get-${i}`, {
          restApiId: this.restApi.id,
          resourceId: resource.id,
          httpMethod: 'GET',
          authorization: 'NONE',
          ...(i === 1 ? { requestParameters: { 'method.request.path.proxy': true } } : {}),
        }),
    );
    const integrations = [
      [proxy, proxyMethod],
      [openapi, openapiMethod],
      [consoleRoot, consoleMethods[0]!],
      [consoleProxy, consoleMethods[1]!],
    ].map(
      ([resource, method], i) =>
        new ApiGatewayIntegration(this, `integration-${i}`, {
          restApiId: this.restApi.id,
          resourceId: (resource as ApiGatewayResource).id,
          httpMethod: (method as ApiGatewayMethod).httpMethod,
          type: 'AWS_PROXY',
          integrationHttpMethod: 'POST',
          uri: this.apiFunction.fn.invokeArn,
        }),
    );
    new LambdaPermission(this, 'invoke-from-api', {
      statementId: 'AllowApiGateway',
      action: 'lambda:InvokeFunction',
      functionName: this.apiFunction.fn.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.restApi.executionArn}/*/*`,
    });
    const gatewayResponses = (['DEFAULT_4XX', 'DEFAULT_5XX'] as const).map(
      (type) =>
        new ApiGatewayGatewayResponse(this, `response-${type.toLowerCase()}`, {
          restApiId: this.restApi.id,
          responseType: type,
          responseTemplates: { 'application/json': GATEWAY_ERROR_TEMPLATE },
        }),
    );

    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.restApi.id,
      // A new deployment whenever a route, method, integration or gateway response changes.
      triggers: {
        redeployment: Fn.sha1(
          Fn.jsonencode([
            v1.id,
            proxy.id,
            openapi.id,
            proxyMethod.id,
            openapiMethod.id,
            consoleRoot.id,
            consoleProxy.id,
            ...consoleMethods.map((m) => m.id),
            authorizer.id,
            ...integrations.map((i) => i.id),
            ...gatewayResponses.map((r) => r.id),
          ]),
        ),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [proxyMethod, openapiMethod, ...consoleMethods, ...integrations, ...gatewayResponses],
    });

    const accessLogs = new CloudwatchLogGroup(this, 'access-logs', { name: names.logGroups.apiAccess, retentionInDays: LOG_RETENTION_DAYS });
    const accountDeps = props.manageApiGatewayAccount ? [this.apiGatewayAccount(names, aws)] : [];
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.restApi.id,
      deploymentId: deployment.id,
      stageName: API_STAGE,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      dependsOn: accountDeps,
    });
    new ApiGatewayMethodSettings(this, 'throttling', {
      restApiId: this.restApi.id,
      stageName: this.stage.stageName,
      methodPath: '*/*',
      settings: { throttlingBurstLimit: API_THROTTLE.burstLimit, throttlingRateLimit: API_THROTTLE.rateLimit, metricsEnabled: true, loggingLevel: 'OFF' },
    });
    this.url = this.stage.invokeUrl;

    // --- WAF --------------------------------------------------------------------------------
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    this.webAcl = new Wafv2WebAcl(this, 'waf', {
      name: names.webAcl,
      description: `ABCA API (${names.env})`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(names.webAcl),
      rule: [
        ...WAF_MANAGED_RULE_GROUPS.map((group, i) => ({
          name: group,
          priority: i + 1,
          overrideAction: { none: {} },
          // `statement` is untyped in the provider bindings: Terraform's snake_case keys.
          statement: {
            managed_rule_group_statement: {
              name: group,
              vendor_name: 'AWS',
              ...(WAF_RULE_OVERRIDES[group]
                ? { rule_action_override: WAF_RULE_OVERRIDES[group]!.map((name) => ({ name, action_to_use: { count: {} } })) }
                : {}),
            },
          },
          visibilityConfig: visibility(`${names.webAcl}-${group}`),
        })),
        {
          name: 'rate-per-ip',
          priority: WAF_MANAGED_RULE_GROUPS.length + 1,
          action: { block: {} },
          statement: { rate_based_statement: { limit: WAF_RATE_LIMIT, aggregate_key_type: 'IP', evaluation_window_sec: 300 } },
          visibilityConfig: visibility(`${names.webAcl}-rate`),
        },
      ],
    });
    new Wafv2WebAclAssociation(this, 'waf-association', { resourceArn: this.stage.arn, webAclArn: this.webAcl.arn });
  }

  /** Account-wide: API Gateway needs a CloudWatch role before any stage can write access logs. */
  private apiGatewayAccount(names: PlatformNames, aws: AwsEnv): ApiGatewayAccount {
    const role = new IamRole(this, 'apigw-logs-role', {
      name: names.roles.apiGatewayLogs,
      description: 'API Gateway writes access logs to CloudWatch (account-wide setting)',
      assumeRolePolicy: serviceTrust('apigateway.amazonaws.com', aws.accountId),
    });
    const attachment = new IamRolePolicyAttachment(this, 'apigw-logs-policy', {
      role: role.name,
      policyArn: `arn:${aws.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
    });
    return new ApiGatewayAccount(this, 'apigw-account', { cloudwatchRoleArn: role.arn, dependsOn: [attachment] });
  }
}
