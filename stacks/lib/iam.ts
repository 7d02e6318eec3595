/**
 * IAM policy documents as plain objects. They are rendered with JSON.stringify, so the synthesized
 * JSON holds the exact policy text (Terraform fills in the ARNs it references), which the tests
 * parse and evaluate with an IAM simulator.
 */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface TrustStatement {
  Sid?: string;
  Effect: 'Allow';
  Principal: { Service: string } | { Federated: string } | { AWS: string };
  Action: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function policy(statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export function trustPolicy(statements: TrustStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust for an AWS service principal, limited to this account (confused-deputy protection). */
export function serviceTrust(service: string, accountId: string, sourceArnPattern?: string): string {
  return trustPolicy([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': accountId },
        ...(sourceArnPattern ? { ArnLike: { 'aws:SourceArn': sourceArnPattern } } : {}),
      },
    },
  ]);
}

/** Lambda's trust: lambda.amazonaws.com (no SourceAccount: Lambda does not send it on AssumeRole). */
export const LAMBDA_TRUST = trustPolicy([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);

/** Writing its own log group, for a Lambda function. */
export function lambdaLogs(logGroupArn: string): Statement {
  return { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logGroupArn}:*` };
}

/** AgentCore workload identity tokens for the runtime's identities (`<name pattern>` ends the ARN). */
export function workloadIdentity(arn: (service: string, resource: string) => string, identityPattern: string): Statement {
  return {
    Sid: 'WorkloadIdentity',
    Effect: 'Allow',
    Action: ['bedrock-agentcore:GetWorkloadAccessToken', 'bedrock-agentcore:GetWorkloadAccessTokenForJWT', 'bedrock-agentcore:GetWorkloadAccessTokenForUserId'],
    Resource: [
      arn('bedrock-agentcore', 'workload-identity-directory/default'),
      arn('bedrock-agentcore', `workload-identity-directory/default/workload-identity/${identityPattern}`),
    ],
  };
}

/** Everything a publish does to the SSM image pointer (read, version history, write, labels). */
export const POINTER_ACTIONS = [
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParameterHistory',
  'ssm:PutParameter',
  'ssm:LabelParameterVersion',
  'ssm:UnlabelParameterVersion',
];
