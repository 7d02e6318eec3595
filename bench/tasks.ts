/**
 * A task that runs for a while, through the whole local path as AWS takes it: submit over the API,
 * the start (RUNNING, InvokeAgentRuntime on `live` through the local AgentCore data plane, which
 * the agent answers at once), the agent's heartbeats and outcome written to its row, the
 * reconciler loop running alongside.
 *
 *   npx tsx bench/tasks.ts [--duration-s 120] [--heartbeat-ms 5000]
 *
 * Prints: the submit's latency (aim: under 1 s), how long the start took (the longest function-like
 * step; the API function's timeout is 29 s), the heartbeats seen, and the total run time.
 */
import { printFigures } from './figures';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startControlPlane } from '../src/local/control-plane';
import { API_TIMEOUT_SECONDS } from '../stacks/constructs/api';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const DURATION_S = arg('--duration-s', 120);
const HEARTBEAT_MS = arg('--heartbeat-ms', 5000);
/** clone, read, edit, pull_request: the plan of a task with no build or lint command. */
const STEPS = 4;

async function main(): Promise<void> {
  const plane = await startControlPlane({
    env: 'benchtasks',
    port: 0,
    agentStepMs: Math.round((DURATION_S * 1000) / STEPS),
    heartbeatMs: HEARTBEAT_MS,
    reconcileIntervalMs: 10_000,
  });
  try {
    const auth = await plane.clients.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: plane.platform.userPoolClientId,
        AuthParameters: { USERNAME: plane.admin.username, PASSWORD: plane.admin.password },
      }),
    );
    const headers = { authorization: `Bearer ${auth.AuthenticationResult!.AccessToken}`, 'content-type': 'application/json' };
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${plane.api.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));
    await api('POST', '/v1/repos', { repo: 'bench/tasks' });
    for (let i = 0; i < 100 && (await api('GET', '/v1/repos/bench/tasks')).body.status !== 'active'; i++) await new Promise((r) => setTimeout(r, 100));

    const t0 = Date.now();
    const submitted = await api('POST', '/v1/tasks', { repo: 'bench/tasks', description: 'Refactor the date parser' });
    const submitMs = Date.now() - t0;
    const id = String(submitted.body.task_id);
    let startedMs: number | undefined;
    const beats = new Set<string>();
    let task: Record<string, unknown> = submitted.body;
    while (task.status === 'SUBMITTED' || task.status === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 250));
      task = (await api('GET', `/v1/tasks/${id}`)).body;
      if (startedMs === undefined && task.status === 'RUNNING' && task.progress !== 'starting the agent session') startedMs = Date.now() - t0;
      if (task.status === 'RUNNING' && typeof task.heartbeat_at === 'string') beats.add(task.heartbeat_at);
    }
    const totalS = (Date.now() - t0) / 1000;
    const stops = plane.dataPlane.calls.filter((c) => c.operation === 'StopRuntimeSession').length;
    const lines = [
      `task ${id}: ${String(task.status)} after ${totalS.toFixed(1)} s (agent work set to ${DURATION_S} s in ${STEPS} steps)`,
      `submit answered in ${submitMs} ms (aim: under 1000 ms): ${submitMs < 1000 ? 'ok' : 'SLOW'}`,
      `the session was started and the agent working ${startedMs ?? '?'} ms after the submit (the start runs as an async API invocation; its timeout is ${API_TIMEOUT_SECONDS} s)`,
      `heartbeats seen: ${beats.size} (every ${HEARTBEAT_MS} ms), StopRuntimeSession calls: ${stops}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    printFigures('tasks', [
      { name: `task with a ${DURATION_S} s agent run, ${String(task.status)}`, value: totalS, unit: 's' },
      { name: 'submit answered', value: submitMs, unit: 'ms', aim: '< 1000 ms', ok: submitMs < 1000 },
      {
        name: 'agent working after the submit',
        value: startedMs ?? -1,
        unit: 'ms',
        aim: `< ${API_TIMEOUT_SECONDS * 1000} ms`,
        ok: startedMs !== undefined && startedMs < API_TIMEOUT_SECONDS * 1000,
      },
      { name: 'heartbeats seen', value: beats.size, unit: '' },
    ]);
    if (task.status !== 'COMPLETED') process.exitCode = 1;
  } finally {
    await plane.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
