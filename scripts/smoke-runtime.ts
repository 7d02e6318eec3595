/**
 * tsx scripts/smoke-runtime.ts --env <env> [--expect-digest sha256:…] [--expect-commit <sha>] [--qualifier <q>] [--json]
 * publish-runtime runs it with RUNTIME_ARN, RUNTIME_VERSION, RUNTIME_QUALIFIER (the endpoint to
 * invoke, e.g. canary) and IMAGE_DIGEST (which the answering agent must report) in its environment.
 */
import { Command } from 'commander';
import { createClients } from '../src/aws/clients';
import { emit } from '../src/cli-support/emit';
import { runMain } from '../src/cli-support/run-main';
import { OperationFailedError, ValidationError } from '../src/errors';
import { resolveEnv } from '../src/platform/names';
import { loadPlatformConfig } from '../src/platform/platform-config';
import { isImageDigest } from '../src/platform/runtime-spec';
import { AgentCoreInvoker } from '../src/tasks/invoker';
import { formatSmoke, smokeCheck } from '../src/tasks/smoke';

const program = new Command()
  .name('smoke-runtime')
  .description('Ask the agent runtime for "ping" and "version" through InvokeAgentRuntime and check it is healthy and the expected build')
  .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
  .option('--expect-digest <digest>', 'sha256:… the agent must report (default: $IMAGE_DIGEST)')
  .option('--expect-commit <sha>', 'git commit the agent must report (≥7 hex characters)')
  .option('--qualifier <name>', 'AgentCore endpoint name to invoke (default: $RUNTIME_QUALIFIER, else the DEFAULT endpoint)')
  .option('--json', 'print one JSON document on stdout')
  .addHelpText(
    'after',
    "\nEnvironment: RUNTIME_ARN (default: the platform's runtime), RUNTIME_QUALIFIER, IMAGE_DIGEST (set by publish-runtime), AWS_ENDPOINT_URL_BEDROCK_AGENTCORE (a local data plane).\n" +
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

    const runtimeArn = process.env.RUNTIME_ARN?.trim() || (await loadPlatformConfig(createClients().ssm, env)).agentRuntimeArn;
    const qualifier = opts.qualifier ?? (process.env.RUNTIME_QUALIFIER?.trim() || undefined);
    // A new session starts a microVM: allow it longer than a task start.
    const invoker = new AgentCoreInvoker({ runtimeArn, qualifier, timeoutMs: 60_000 });
    const hint =
      process.env.AWS_ENDPOINT_URL && !process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE
        ? 'AWS_ENDPOINT_URL is set but AWS_ENDPOINT_URL_BEDROCK_AGENTCORE is not: moto has no AgentCore data plane; use the local one (npm run dev exports it)'
        : undefined;

    // The digest publish-runtime expects must be the one answering (the agent reports the image it was started for).
    const report = await smokeCheck(invoker, { digest: opts.expectDigest ?? published, commit: opts.expectCommit }, { hint });
    const failed = report.checks.filter((c) => c.ok === false).map((c) => c.name);
    const error = report.ok ? undefined : new OperationFailedError(`smoke check failed: ${failed.join(', ')}`, 'SMOKE_FAILED', { failed });
    emit(!!opts.json, { ...report, env, ...(error ? { error: error.toJSON() } : {}) }, formatSmoke(report, env));
    if (!error) return 0;
    process.stderr.write(`error: ${error.code}: ${error.message}\n`);
    return error.exitCode;
  },
  { json: () => !!opts.json },
);
