/** `bgagent configure --env <env>`: the client config, from `/abca/<env>/platform` alone. */
import type { Command } from 'commander';
import { resolveEnv } from '../../platform/names';
import { configDir, deleteCredentials, readConfig, readCredentials, writeConfig, type ClientConfig } from '../config';
import { examples, output, withJson, type JsonOpts } from '../common';
import { renderFields } from '../output';

interface ConfigureOpts extends JsonOpts {
  env?: string;
  region?: string;
  apiUrl?: string;
}

export function configureCommand(program: Command): void {
  const cmd = program
    .command('configure')
    .description('Write the client config (API URL, Cognito pool) from the /abca/<env>/platform parameter; needs AWS credentials that can read it')
    .option('--env <env>', 'environment (default: $ABCA_ENV or dev)')
    .option('--region <region>', 'AWS region of the environment (default: $AWS_REGION)')
    .option('--api-url <url>', 'use this API URL instead of the one the platform names');
  withJson(cmd);
  examples(cmd, 'bgagent configure --env dev', 'AWS_PROFILE=prod bgagent configure --env prod --region eu-west-1');
  cmd.action(async (opts: ConfigureOpts) => {
    const out = output(opts);
    const env = resolveEnv(opts.env);
    // Loaded here, not at start-up: the SDK is the slow part of every other command's start.
    const [{ ssmClient }, { loadPlatformConfig }] = await Promise.all([import('../../aws/clients'), import('../../platform/platform-config')]);
    const ssm = ssmClient({ region: opts.region, maxAttempts: 3 });
    const platform = await loadPlatformConfig(ssm, env).finally(() => ssm.destroy());
    const config: ClientConfig = {
      env,
      region: platform.region,
      apiUrl: opts.apiUrl ?? platform.apiUrl,
      userPoolId: platform.userPoolId,
      userPoolClientId: platform.userPoolClientId,
    };
    const dir = configDir();
    const before = safeRead(dir);
    const path = writeConfig(config, dir);
    // A session from another pool is useless now: drop it rather than send it.
    const creds = readCredentials(dir);
    const signedOut = !!creds && (creds.env !== config.env || creds.userPoolClientId !== config.userPoolClientId) && deleteCredentials(dir);
    out.result({ ok: true, ...config, config_path: path, signed_out: signedOut }, () =>
      [
        `configured environment "${env}"${before && before.env !== env ? ` (was "${before.env}")` : ''}`,
        renderFields([
          ['api', config.apiUrl],
          ['region', config.region],
          ['user pool', config.userPoolId],
          ['app client', config.userPoolClientId],
          ['written to', path],
        ]),
        ...(signedOut ? ['signed out of the previous environment'] : []),
        'next: bgagent login --username <you>',
      ].join('\n'),
    );
  });
}

function safeRead(dir: string): ClientConfig | undefined {
  try {
    return readConfig(dir);
  } catch {
    return undefined;
  }
}
