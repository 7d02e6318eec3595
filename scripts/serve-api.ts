/**
 * tsx scripts/serve-api.ts --env <env> [--port 8787] [--host 127.0.0.1]
 * Serves the API (the same app the Lambda runs) against the AWS endpoint in the standard
 * environment (AWS_ENDPOINT_URL: moto locally), provisioning changes in-process. Logs are JSON lines
 * on stderr; stdout gets one line with the URL. Ctrl-C stops it.
 */
import { Command } from 'commander';
import { startApiServer } from '../src/api/server';
import { ValidationError } from '../src/errors';
import { resolveEnv } from '../src/platform/names';
import { runMain } from '../src/cli-support/run-main';

const program = new Command()
  .name('serve-api')
  .description('Serve the ABCA API locally over the same handlers as Lambda')
  .option('--env <env>', 'environment name (default: $ABCA_ENV or dev)')
  .option('--port <port>', 'port to listen on (0: any free port)', '8787')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .addHelpText('after', '\nExample:\n  AWS_ENDPOINT_URL=http://127.0.0.1:5000 npx tsx scripts/serve-api.ts --env dev --port 8787\n');

runMain(async () => {
  const opts = program.parse().opts<{ env?: string; port: string; host: string }>();
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationError(`--port must be 0-65535, not "${opts.port}"`, 'INVALID_PORT');
  const api = await startApiServer({ env: resolveEnv(opts.env), port, host: opts.host, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`API listening on ${api.url}\n`);
  const stop = async (signal: string) => {
    process.stderr.write(`${signal}: stopping the API…\n`);
    await api.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await new Promise<never>(() => undefined);
});
