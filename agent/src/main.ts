/**
 * Entry point: `node dist/main.js` in the image, `npx tsx agent/src/main.ts` on a workstation.
 *   PORT  default 8080 (the AgentCore contract)
 *   HOST  default 127.0.0.1; the image sets 0.0.0.0, as AgentCore requires
 * SIGTERM/SIGINT close the server and exit 0 (as PID 1 in a container, Node gets no default handlers).
 */
import { buildInfoFromEnv } from './build-info';
import { startAgentServer } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  const host = process.env.HOST ?? '127.0.0.1';
  const info = buildInfoFromEnv();
  const agent = await startAgentServer({ port, host, buildInfo: info, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify({ msg: 'agent listening', host, port: agent.port, url: agent.url, ...info })}\n`);
  const stop = (signal: string) => {
    process.stdout.write(`${JSON.stringify({ msg: `${signal}: stopping` })}\n`);
    agent.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`agent failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
