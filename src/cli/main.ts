/**
 * `bgagent`: the ABCA command line. `bin/bgagent.js` runs the bundle of this file
 * (dist/cli/bgagent.js, built by scripts/build-cli.ts), or this file through tsx on a fresh clone.
 *
 * Exit codes: 0 ok · 1 failure (AWS, the API or the runtime failed; network) · 2 usage or bad
 * input (also 400/401/403/404/413/422 from the API) · 3 conflict, lock held or drift (409/412).
 */
import { Command, CommanderError } from 'commander';
import { runMain } from '../cli-support/run-main';
import { isAbcaError, OperationFailedError, ValidationError } from '../errors';
import { adminCommands } from './commands/admin-user';
import { apiKeyCommands } from './commands/api-key';
import { configureCommand } from './commands/configure';
import { doctorCommand } from './commands/doctor';
import { loginCommands } from './commands/login';
import { policyCommands } from './commands/policy';
import { repoCommands } from './commands/repo';
import { runtimeCommands } from './commands/runtime';
import { taskCommands } from './commands/task';
import { version } from '../../package.json';

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  failure: AWS, the API or the runtime failed, or the network did (5xx, timeouts)
  2  usage or bad input, refused before anything was written (400/401/403/404/413/422)
  3  conflict: a stale version, the deploy lock is held, or pointer and runtime drifted (409/412)
`;

export function buildProgram(): Command {
  const program = new Command()
    .name('bgagent')
    .description('ABCA: onboard repositories, submit agent tasks, and move the agent runtime image')
    .version(version, '-V, --version')
    // Commander's own errors become ours: one line, exit 2 (see run()).
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  program.addHelpText(
    'after',
    `
Example:
  $ bgagent configure --env dev && bgagent login --username admin --password-stdin < password.txt
  $ bgagent repo onboard acme/widgets --wait
  $ bgagent submit --repo acme/widgets --description "Fix the flaky date test"
${EXIT_CODES_HELP}`,
  );
  configureCommand(program);
  loginCommands(program);
  repoCommands(program);
  apiKeyCommands(program);
  adminCommands(program);
  taskCommands(program);
  runtimeCommands(program);
  doctorCommand(program);
  policyCommands(program);
  return program;
}

/** Pure: commander's refusal as our usage error (or nothing, when it only showed help/version). */
export function usageError(e: CommanderError): ValidationError | undefined {
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return undefined;
  return new ValidationError(`${e.message.replace(/^error: /, '')} (see --help)`, 'VALIDATION_ERROR');
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Pure: an AWS SDK connection failure as a named error (exit 1) with a code, like the API client's. */
export function networkError(e: unknown): OperationFailedError | undefined {
  const code = (e as { code?: unknown }).code;
  if (isAbcaError(e) || typeof code !== 'string' || !NETWORK_CODES.has(code)) return undefined;
  const endpoint = process.env.AWS_ENDPOINT_URL ? ` (AWS_ENDPOINT_URL=${process.env.AWS_ENDPOINT_URL})` : '';
  return new OperationFailedError(`cannot reach AWS${endpoint}: ${(e as Error).message}`, 'NETWORK', undefined, { cause: e });
}

export async function run(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw networkError(e) ?? e;
    // `bgagent repo` without a sub-command printed its help already: a usage error, quietly.
    if (e.code === 'commander.help') return 2;
    const usage = usageError(e);
    if (usage) throw usage;
    return 0;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

export function main(argv: string[] = process.argv): void {
  // The SDK's notice about future Node versions would follow every command that touches AWS; the
  // CLI's stderr is for its own progress and its one error line. Set the variable to "false" to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runMain(() => run(argv), { json: () => argv.includes('--json') });
}

if (require.main === module) main();
