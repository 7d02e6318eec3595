/**
 * The stack parts tasks rely on, on the synthesized Terraform JSON: the reconciler Lambda and its
 * schedule, each function's timeout against what its step may take, the tasks table's status
 * index, and WAF letting the API's own body limit (256 KB) apply.
 */
import { API_TIMEOUT_SECONDS } from '../../stacks/constructs/api';
import { RECONCILER_SCHEDULE, RECONCILER_TIMEOUT_SECONDS } from '../../stacks/constructs/tasks-reconciler';
import { MAX_BODY_BYTES } from '../../src/api/middleware';
import { platformNames } from '../../src/platform/names';
import { INVOKE_TIMEOUT_MS } from '../../src/tasks/invoker';
import { RECONCILE_BUDGET_MS, RECONCILE_INTERVAL_MS, HEARTBEAT_THRESHOLD_MS } from '../../src/tasks/reconciler';
import { find, only, synthInfraJson, testBundles, type TfJson } from './support';

const names = platformNames('dev');
let json: TfJson;

beforeAll(async () => {
  json = synthInfraJson(await testBundles(), { env: 'dev' }).json;
});

/** DynamoDB calls a step makes (each is milliseconds; counted generously). */
const DDB_CALL_MS = 1000;

describe('function timeouts against what each step may take', () => {
  it('the API function: a submit or a task start (a few DynamoDB calls and one InvokeAgentRuntime) fits well inside its 29 s', () => {
    // Prepare
    const [, fn] = find(json, 'aws_lambda_function', 'function_name', names.functions.api);
    // Act: startTask = read task, read repository, RUNNING, InvokeAgentRuntime (bounded), maybe FAILED
    const startTaskMs = 4 * DDB_CALL_MS + INVOKE_TIMEOUT_MS;
    // Assess
    expect(fn.timeout).toBe(API_TIMEOUT_SECONDS);
    expect(API_TIMEOUT_SECONDS).toBeLessThanOrEqual(29);
    expect(startTaskMs + 5_000).toBeLessThanOrEqual((fn.timeout as number) * 1000);
  });

  it('the reconciler function: its budget plus the last call in flight (a start, then a stop) ends inside its timeout, and runs before the next one is due', () => {
    // Prepare
    const [, fn] = find(json, 'aws_lambda_function', 'function_name', names.functions.reconciler);
    // Act: the budget, then one task's worst case (a probe or a start, a failure, a stop)
    const worstRunMs = RECONCILE_BUDGET_MS + 2 * INVOKE_TIMEOUT_MS + 4 * DDB_CALL_MS;
    // Assess
    expect(fn.timeout).toBe(RECONCILER_TIMEOUT_SECONDS);
    expect(worstRunMs).toBeLessThan((fn.timeout as number) * 1000);
    expect(RECONCILE_BUDGET_MS).toBeLessThanOrEqual(RECONCILE_INTERVAL_MS);
    expect((fn.environment as { variables: Record<string, string> }).variables.RECONCILE_BUDGET_MS).toBe(String(RECONCILE_BUDGET_MS));
  });

  it('the heartbeat threshold leaves room for a reconciler run to be late', () => {
    // Assess: a silent task is failed within threshold + one interval + one run
    expect(HEARTBEAT_THRESHOLD_MS).toBeGreaterThanOrEqual(2 * RECONCILE_INTERVAL_MS);
  });
});

describe('reconciler schedule', () => {
  it('EventBridge Scheduler runs the reconciler every minute with a role that may only invoke it', () => {
    // Prepare
    const schedule = only(json, 'aws_scheduler_schedule');
    const [fnId] = find(json, 'aws_lambda_function', 'function_name', names.functions.reconciler);
    const [roleId, role] = find(json, 'aws_iam_role', 'name', names.roles.reconcilerScheduler);
    // Assess
    expect(schedule.schedule_expression).toBe(RECONCILER_SCHEDULE);
    expect(RECONCILER_SCHEDULE).toBe('rate(1 minute)');
    expect(schedule.flexible_time_window).toEqual({ mode: 'OFF' });
    expect(schedule.target).toMatchObject({ arn: `\${aws_lambda_function.${fnId}.arn}`, role_arn: `\${aws_iam_role.${roleId}.arn}` });
    expect(JSON.parse(String(role.assume_role_policy)).Statement[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
  });
});

describe('tasks table', () => {
  it('has a status index for the reconciler (no table scans every minute)', () => {
    // Prepare
    const [, table] = find(json, 'aws_dynamodb_table', 'name', names.tables.tasks);
    // Assess
    expect(table.global_secondary_index).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'status-index', hash_key: 'status', range_key: 'created_at' })]),
    );
  });
});

describe('WAF and the body limit', () => {
  it("counts (does not block) the common rule set's 8 KB SizeRestrictions_BODY, so the API's 256 KB limit applies", () => {
    // Prepare
    const acl = only(json, 'aws_wafv2_web_acl');
    const rules = acl.rule as {
      name: string;
      override_action?: unknown;
      statement: { managed_rule_group_statement?: { name: string; rule_action_override?: unknown[] } };
    }[];
    const common = rules.find((r) => r.name === 'AWSManagedRulesCommonRuleSet')!;
    // Assess
    expect(common.statement.managed_rule_group_statement!.rule_action_override).toEqual([{ name: 'SizeRestrictions_BODY', action_to_use: { count: {} } }]);
    expect(common.override_action).toEqual({ none: {} });
    // the other managed groups block as AWS ships them
    expect(rules.filter((r) => r.name !== common.name).every((r) => !r.statement.managed_rule_group_statement?.rule_action_override)).toBe(true);
    expect(MAX_BODY_BYTES).toBe(256 * 1024);
  });
});
