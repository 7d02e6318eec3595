/**
 * The task reconciler: a small Lambda (src/handlers/reconciler.ts) that EventBridge Scheduler
 * runs every minute. It fails tasks whose agent went silent, notices sessions AgentCore no longer
 * has, and starts tasks whose dispatch was lost (src/tasks/reconciler.ts). Runs may overlap: every
 * write it makes is conditional.
 */
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import type { PlatformNames } from '../../src/platform/names';
import { RECONCILE_BUDGET_MS, RECONCILE_INTERVAL_MS } from '../../src/tasks/reconciler';
import type { AwsEnv } from '../lib/aws-env';
import { policy, serviceTrust, type Statement } from '../lib/iam';
import type { Data } from './data';
import { HandlerFunction } from './handler-function';

/** The run's own budget plus one more AgentCore call (a start or a probe) and margin. */
export const RECONCILER_TIMEOUT_SECONDS = 120;
export const RECONCILER_SCHEDULE = `rate(${RECONCILE_INTERVAL_MS / 60_000} minute)`;

export interface TasksReconcilerProps {
  names: PlatformNames;
  aws: AwsEnv;
  data: Data;
  agentRuntimeArn: string;
  bundleDir: string;
}

export class TasksReconciler extends Construct {
  readonly fn: HandlerFunction;
  readonly schedule: SchedulerSchedule;
  readonly schedulerRole: IamRole;

  constructor(scope: Construct, id: string, props: TasksReconcilerProps) {
    super(scope, id);
    const { names, aws, data } = props;
    const t = data.tables;
    const parameterArn = (name: string) => `arn:${aws.partition}:ssm:${aws.region}:${aws.accountId}:parameter${name}`;
    const statements: Statement[] = [
      {
        Sid: 'ReadPlatformConfig',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: [parameterArn(names.parameters.platform), parameterArn(names.parameters.guardrails)],
      },
      // SUBMITTED and RUNNING tasks through status-index; conditional state moves on the table.
      {
        Sid: 'Tasks',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: [t.tasks.arn, `${t.tasks.arn}/index/*`],
      },
      // A re-started task reads its repository's configuration, as the API does.
      { Sid: 'Repos', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: t.repos.arn },
      // This function starts tasks (the API dispatches them here): it reads the repository's GitHub
      // token for the invocation only, so the internet-facing API never reads one (docs/infra.md).
      {
        Sid: 'TaskTokens',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:${aws.partition}:secretsmanager:${aws.region}:${aws.accountId}:secret:${names.secretPrefix}*`,
      },
      {
        Sid: 'Sessions',
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
    ];
    this.fn = new HandlerFunction(this, 'fn', {
      functionName: names.functions.reconciler,
      roleName: names.roles.reconcilerFn,
      description: `ABCA task reconciler (${names.env})`,
      bundleDir: props.bundleDir,
      environment: { ABCA_ENV: names.env, RECONCILE_BUDGET_MS: String(RECONCILE_BUDGET_MS) },
      timeoutSeconds: RECONCILER_TIMEOUT_SECONDS,
      memoryMb: 256,
      statements,
    });

    this.schedulerRole = new IamRole(this, 'scheduler-role', {
      name: names.roles.reconcilerScheduler,
      description: `EventBridge Scheduler runs ${names.functions.reconciler}`,
      assumeRolePolicy: serviceTrust('scheduler.amazonaws.com', aws.accountId),
    });
    new IamRolePolicy(this, 'scheduler-policy', {
      name: 'invoke',
      role: this.schedulerRole.name,
      policy: policy([{ Sid: 'InvokeReconciler', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: this.fn.fn.arn }]),
    });
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: names.functions.reconciler,
      description: 'Fail silent tasks, notice lost sessions, start tasks whose dispatch was lost',
      scheduleExpression: RECONCILER_SCHEDULE,
      flexibleTimeWindow: { mode: 'OFF' },
      // A missed run is not retried: the next one comes within a minute and does the same.
      target: { arn: this.fn.fn.arn, roleArn: this.schedulerRole.arn, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } },
    });
  }
}
