/**
 * One bundled Lambda handler: its zip (a TerraformAsset of the esbuild output folder), its own log
 * group, its own role with exactly the statements it is given (plus writing its logs).
 */
import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LAMBDA_HANDLER } from '../../src/build/handlers';
import { LAMBDA_TRUST, lambdaLogs, policy, type Statement } from '../lib/iam';

/**
 * The bundles target Node 20 syntax (the project's Node); they run on the newest Lambda Node.js
 * runtime, since AWS retires Node 20 on Lambda in 2026.
 */
export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LOG_RETENTION_DAYS = 90;

export interface HandlerFunctionProps {
  functionName: string;
  roleName: string;
  description: string;
  /** Folder holding index.js (from bundleHandlers). */
  bundleDir: string;
  environment: Record<string, string>;
  statements: Statement[];
  timeoutSeconds: number;
  memoryMb?: number;
}

export class HandlerFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly asset: TerraformAsset;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, 'logs', { name: `/aws/lambda/${props.functionName}`, retentionInDays: LOG_RETENTION_DAYS });
    this.role = new IamRole(this, 'role', { name: props.roleName, description: `${props.description} (Lambda)`, assumeRolePolicy: LAMBDA_TRUST });
    const rolePolicy = new IamRolePolicy(this, 'policy', {
      name: 'handler',
      role: this.role.name,
      policy: policy([lambdaLogs(this.logGroup.arn), ...props.statements]),
    });
    this.asset = new TerraformAsset(this, 'bundle', { path: props.bundleDir, type: AssetType.ARCHIVE });
    this.fn = new LambdaFunction(this, 'fn', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      filename: this.asset.path,
      // The folder's content hash: stable across synths (the zip's own bytes carry timestamps).
      sourceCodeHash: this.asset.assetHash,
      handler: LAMBDA_HANDLER,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      timeout: props.timeoutSeconds,
      memorySize: props.memoryMb ?? 512,
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', ...props.environment } },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      // The role's policy must exist before the first invocation can use it.
      dependsOn: [rolePolicy, this.logGroup],
    });
  }
}
