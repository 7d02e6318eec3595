/** tsx scripts/smoke-runtime.ts --env <env> [--expect-digest sha256:…] [--expect-commit <sha>] [--qualifier <q>] [--json] */
import { Command } from 'commander';
import { createClients } from '../src/aws/clients';
import { emit } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { OperationFailedError, ValidationError } from '../src/errors';
import { resolveEnv } from '../src/platform/names';
import { loadPlatformConfig } from '../src/platform/platform-config';
import { isImageDigest } from '../src/platform/runtime-spec';
import { AgentCoreInvoker, HttpAgentInvoker, type AgentInvoker } from '../src/tasks/invoker';
import { formatSmoke, smokeCheck } from '../src/tasks/smoke';

const program = new Command()
  .name('smoke-runtime')
  .description('Ask the agent runtime for "ping" and "version" (InvokeAgentRuntime; ABCA_AGENT_URL locally) and check it is healthy and the expected build')
  .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
  .option('--expect-digest <digest>', 'sha256:… the agent must report (default: $IMAGE_DIGEST, checked only if the agent reports a digest)')
  .option('--expect-commit <sha>', 'git commit the agent must report (≥7 hex characters)')
  .option('--qualifier <name>', 'AgentCore endpoint name or version to invoke (default: the DEFAULT endpoint)')
  .option('--json', 'print one JSON document on stdout')
  .addHelpText(
    'after',
    '\nEnvironment: RUNTIME_ARN (default: the platform\'s runtime), IMAGE_DIGEST (set by publish-runtime), ABCA_AGENT_URL (local agent process).\n' +
      '\nExample:\n  tsx scripts/publish-runtime.ts --env dev --image-tag git-3f2a1c --smoke-cmd "tsx scripts/smoke-runtime.ts --env dev --expect-commit 3f2a1c0"\n' +
      '\nExit: 0 healthy and as expected, 1 unreachable, unhealthy or another build answering, 2 bad input or unknown env\n',
  );
type Opts = { env?: string; expectDigest?: string; expectCommit?: string; qualifier?: string; json?: boolean };
const opts = program.parse().opts<Opts>();

runMain(
  async () => {
    const env = resolveEnv(opts.env);
    if (opts.expectDigest !== undefined && !isImageDigest(opts.expectDigest)) {
      throw new ValidationError(`--expect-digest "${opts.expectDigest}" is not sha256:<64 hex>`, 'INVALID_DIGEST');
    }
    if (opts.expectCommit !== undefined && !/^[0-9a-f]{7,40}$/i.test(opts.expectCommit)) {
      throw new ValidationError(`--expect-commit "${opts.expectCommit}" is not a git commit (7-40 hex characters)`, 'INVALID_COMMIT');
    }
    const published = process.env.IMAGE_DIGEST?.trim() || undefined;
    if (published !== undefined && !isImageDigest(published)) throw new ValidationError(`IMAGE_DIGEST "${published}" is not sha256:<64 hex>`, 'INVALID_DIGEST');

    let invoker: AgentInvoker;
    let hint: string | undefined;
    const agentUrl = process.env.ABCA_AGENT_URL?.trim();
    if (agentUrl) {
      invoker = new HttpAgentInvoker(agentUrl, { timeoutMs: 60_000 });
    } else {
      const platform = await loadPlatformConfig(createClients().ssm, env);
      invoker = new AgentCoreInvoker({ runtimeArn: process.env.RUNTIME_ARN?.trim() || platform.agentRuntimeArn, qualifier: opts.qualifier });
      if (process.env.AWS_ENDPOINT_URL) hint = 'AWS_ENDPOINT_URL is set: local emulators have no AgentCore data plane; set ABCA_AGENT_URL to a local agent';
    }

    const report = await smokeCheck(invoker, { digest: opts.expectDigest, commit: opts.expectCommit, publishedDigest: published }, { hint });
    const failed = report.checks.filter((c) => c.ok === false).map((c) => c.name);
    const error = report.ok ? undefined : new OperationFailedError(`smoke check failed: ${failed.join(', ')}`, 'SMOKE_FAILED', { failed });
    emit(!!opts.json, { ...report, env, ...(error ? { error: error.toJSON() } : {}) }, formatSmoke(report, env));
    if (!error) return 0;
    process.stderr.write(`error: ${error.code}: ${error.message}\n`);
    return error.exitCode;
  },
  { json: () => !!opts.json },
);
