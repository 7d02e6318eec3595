/** `bgagent submit` and `bgagent task status | list | watch`, over /v1/tasks. */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { OperationFailedError, ValidationError } from '../../errors';
import { TASK_STATES, TERMINAL_TASK_STATES, type ApiClient, type Task } from '../api-client';
import { examples, openApi, output, positiveNumber, readStdin, waitFor, withApi, type ApiOpts, type Verdict } from '../common';
import { renderFields, renderTable, type Column, type Output } from '../output';
import { parseRepoId } from '../repo-flags';

export const TASK_COLUMNS: Column<Task>[] = [
  { header: 'TASK ID', value: (t) => t.task_id },
  { header: 'REPO', value: (t) => t.repo },
  { header: 'STATUS', value: (t) => t.status },
  { header: 'CREATED', value: (t) => t.created_at },
  { header: 'DESCRIPTION', value: (t) => t.description, max: 50 },
];

const TASK_FIELD_ORDER = [
  'task_id',
  'repo',
  'status',
  'status_reason',
  'progress',
  'heartbeat_at',
  'description',
  'created_at',
  'updated_at',
  'pr_url',
  // The agent's structured outcome (docs/agent-contract.md §6), together under the PR.
  'turns',
  'cost_usd',
  'duration_s',
  'build_passed',
  'lint_passed',
  'error_message',
];

/** Pure: one line for a task being watched: its state, how long ago the agent last beat, its last progress line. */
export function watchLine(task: Task, now: number = Date.now()): string {
  const parts = [`task ${task.task_id}: ${task.status}`];
  if (typeof task.heartbeat_at === 'string' && task.status === 'RUNNING') {
    const ago = Math.max(0, Math.round((now - Date.parse(task.heartbeat_at)) / 1000));
    parts.push(`heartbeat ${ago} s ago`);
  }
  if (typeof task.progress === 'string' && task.progress) parts.push(task.progress);
  return parts.join(' | ');
}

export function renderTask(task: Task): string {
  const t = task as Record<string, unknown>;
  const keys = [
    ...TASK_FIELD_ORDER.filter((k) => k in t),
    ...Object.keys(t)
      .filter((k) => !TASK_FIELD_ORDER.includes(k))
      .sort(),
  ];
  // Nested documents (config, result) as indented JSON under their field.
  return renderFields(keys.map((k) => [k, t[k] !== null && typeof t[k] === 'object' && !Array.isArray(t[k]) ? JSON.stringify(t[k], null, 2) : t[k]]));
}

/** Pure: COMPLETED succeeds; FAILED and CANCELLED end the watch with exit 1; the rest go on (with the heartbeat and progress). */
export function taskVerdict(task: Task, now: number = Date.now()): Verdict<Task> {
  if (task.status === 'COMPLETED') return { done: true, value: task };
  if (TERMINAL_TASK_STATES.includes(task.status)) {
    const reason = typeof task.status_reason === 'string' ? `: ${task.status_reason}` : typeof task.error === 'string' ? `: ${task.error}` : '';
    return {
      done: true,
      error: new OperationFailedError(`task ${task.task_id} ${task.status}${reason}`, task.status === 'CANCELLED' ? 'TASK_CANCELLED' : 'TASK_FAILED', { task }),
    };
  }
  return { done: false, text: watchLine(task, now) };
}

type WatchOpts = { timeout?: string; intervalMs?: string };

function watch(client: ApiClient, id: string, opts: WatchOpts, out: Output): Promise<Task> {
  return waitFor({
    out,
    start: `task ${id}`,
    what: `task ${id} to finish`,
    read: () => client.getTask(id),
    judge: (t) => taskVerdict(t),
    timeoutMs: positiveNumber('--timeout', opts.timeout, 3600) * 1000,
    intervalMs: positiveNumber('--interval-ms', opts.intervalMs, 2000),
  });
}

function watchOptions(cmd: Command, defaultTimeout: string): Command {
  return cmd
    .option('--timeout <seconds>', 'give up watching after this long', defaultTimeout)
    .addOption(new Option('--interval-ms <ms>', 'poll interval').default('2000').hideHelp());
}

export function taskCommands(program: Command): void {
  const submit = watchOptions(
    withApi(
      program
        .command('submit')
        .description('Submit a task for the agent on an onboarded (active) repository')
        .requiredOption('--repo <owner/repo>', 'repository to work on')
        .option('--description <text>', 'what the agent should do')
        .option('--description-file <file>', 'read the description from a file ("-" for stdin)')
        .option('--idempotency-key <key>', 'submitting again with the same key returns the same task')
        .option('--watch', 'then watch the task until it ends (exit 1 unless COMPLETED)'),
    ),
    '3600',
  );
  examples(
    submit,
    'bgagent submit --repo acme/widgets --description "Fix the flaky date test in test/dates.test.ts"',
    'bgagent submit --repo acme/widgets --description-file issue.md --idempotency-key issue-42 --watch',
  );
  submit.action(
    async (opts: ApiOpts & WatchOpts & { repo: string; description?: string; descriptionFile?: string; idempotencyKey?: string; watch?: boolean }) => {
      const out = output(opts);
      if (opts.description !== undefined && opts.descriptionFile !== undefined)
        throw new ValidationError('give --description or --description-file, not both', 'VALIDATION_ERROR');
      let description = opts.description;
      if (opts.descriptionFile !== undefined) {
        try {
          description = opts.descriptionFile === '-' ? await readStdin() : readFileSync(opts.descriptionFile, 'utf8');
        } catch (e) {
          throw new ValidationError(
            `--description-file: cannot read ${opts.descriptionFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
            'VALIDATION_ERROR',
          );
        }
      }
      if (!description?.trim()) throw new ValidationError('give --description or --description-file', 'VALIDATION_ERROR');
      const repo = parseRepoId(opts.repo);
      const { client } = openApi(opts);
      const task = await client.submitTask({ repo, description: description.trim(), ...(opts.idempotencyKey ? { idempotency_key: opts.idempotencyKey } : {}) });
      const final = opts.watch ? await watch(client, task.task_id, opts, out) : task;
      out.result(final, () =>
        opts.watch ? renderTask(final) : `submitted task ${task.task_id} on ${task.repo}: ${task.status}\nfollow it: bgagent task watch ${task.task_id}`,
      );
    },
  );

  const group = program.command('task').description('Follow agent tasks');
  examples(group, 'bgagent task list --repo acme/widgets', 'bgagent task watch 01J9Z3…');

  const status = withApi(group.command('status').description('Show one task').argument('<task-id>'));
  examples(status, 'bgagent task status 01J9Z3ABCD', 'bgagent task status 01J9Z3ABCD --json | jq -r .status');
  status.action(async (id: string, opts: ApiOpts) => {
    const { client } = openApi(opts);
    const task = await client.getTask(id);
    output(opts).result(task, () => renderTask(task));
  });

  const list = withApi(
    group
      .command('list')
      .description('List tasks, newest first')
      .option('--repo <owner/repo>', 'only this repository')
      .addOption(new Option('--status <status>', 'only this status').choices([...TASK_STATES]))
      .option('--limit <n>', 'at most this many', '50')
      .option('--next-token <token>', 'continue a listing that stopped at --limit'),
  );
  examples(list, 'bgagent task list', 'bgagent task list --repo acme/widgets --status RUNNING --json');
  list.action(async (opts: ApiOpts & { repo?: string; status?: string; limit?: string; nextToken?: string }) => {
    const limit = positiveNumber('--limit', opts.limit, 50);
    const { client } = openApi(opts);
    const items: Task[] = [];
    let next = opts.nextToken;
    do {
      const page = await client.listTasks({
        repo: opts.repo ? parseRepoId(opts.repo) : undefined,
        status: opts.status,
        limit: limit - items.length,
        next_token: next,
      });
      items.push(...page.items.slice(0, limit - items.length));
      next = page.next_token;
    } while (next && items.length < limit);
    const result = { items, ...(next ? { next_token: next } : {}) };
    output(opts).result(result, () => [renderTable(items, TASK_COLUMNS), ...(next ? [`more: --next-token ${next}`] : [])].join('\n'));
  });

  const cancel = withApi(
    group.command('cancel').description('Cancel a task that has not finished (a finished one: exit 3, ILLEGAL_TRANSITION)').argument('<task-id>'),
  );
  examples(cancel, 'bgagent task cancel 01J9Z3ABCD');
  cancel.action(async (id: string, opts: ApiOpts) => {
    const { client } = openApi(opts);
    const task = await client.cancelTask(id);
    output(opts).result(task, () => `task ${task.task_id}: ${task.status}`);
  });

  const watchCmd = watchOptions(
    withApi(
      group
        .command('watch')
        .description("Watch a task until it ends, with the agent's heartbeats and last progress line: exit 0 when COMPLETED, 1 when FAILED or CANCELLED")
        .argument('<task-id>'),
    ),
    '3600',
  );
  examples(watchCmd, 'bgagent task watch 01J9Z3ABCD', 'bgagent task watch 01J9Z3ABCD --timeout 600 --json');
  watchCmd.action(async (id: string, opts: ApiOpts & WatchOpts) => {
    const out = output(opts);
    const { client } = openApi(opts);
    const task = await watch(client, id, opts, out);
    out.result(task, () => renderTask(task));
  });
}
