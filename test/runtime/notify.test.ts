/**
 * Release notifications against a local HTTP receiver standing in for GitHub (GITHUB_API_URL) and
 * a Slack-compatible webhook (its URL in a Secrets Manager secret the release policy names).
 * Deliveries are retried a bounded number of times and never fail the release.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createClients } from '../../src/aws/clients';
import { releasePolicyParameter } from '../../src/platform/release-policy';
import { githubContext, webhookRequest } from '../../src/runtime/notify';
import { useMoto } from '../support/moto';
import { runTsx } from '../support/run';
import { bootstrappedRuntime, pushImage } from './support';

interface Received {
  method: string;
  url: string;
  auth?: string;
  body: Record<string, unknown>;
}

/** Answers like GitHub (a deployment id) and like a webhook; the first `failFirst` calls get 502. */
async function receiver(failFirst = 0) {
  const received: Received[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      if (++calls <= failFirst) return res.writeHead(502).end();
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(req.url!.endsWith('/deployments') ? { id: 42 } : { ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('notifications (pure)', () => {
  it('GitHub only in Actions with a token; GITHUB_API_URL honoured', () => {
    const env = { GITHUB_ACTIONS: 'true', GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'acme/abca', GITHUB_SHA: 'f00d', GITHUB_API_URL: 'http://127.0.0.1:1/' };
    expect(githubContext(env)).toMatchObject({ apiUrl: 'http://127.0.0.1:1', repository: 'acme/abca', sha: 'f00d' });
    expect(githubContext({ ...env, GITHUB_TOKEN: undefined })).toBeUndefined();
    expect(githubContext({ ...env, GITHUB_ACTIONS: undefined })).toBeUndefined();
  });

  it('the webhook message is Slack-compatible text naming env, verb, outcome and digest', () => {
    const req = webhookRequest('http://hook', {
      kind: 'bake_breach',
      env: 'prod',
      ok: false,
      digest: `sha256:${'a'.repeat(64)}`,
      version: '7',
      summary: 'failure rate 50%',
    });
    expect(req.body).toEqual({ text: `:rotating_light: ABCA prod: bake_breach failed: failure rate 50% (sha256:aaaaaaaaaaaa…, version 7)` });
  });
});

describe('notifications: a publish announces itself', () => {
  useMoto();
  const clients = createClients();

  it('a local receiver gets the GitHub Deployment, its status and the webhook call; a 502 is retried', async () => {
    // Prepare
    const rx = await receiver(1);
    try {
      const ctx = await bootstrappedRuntime('notify', clients);
      const secret = await clients.secrets.send(new CreateSecretCommand({ Name: 'abca/notify/release-webhook', SecretString: `${rx.url}/hook` }));
      await clients.ssm.send(
        new PutParameterCommand({
          Name: releasePolicyParameter('notify'),
          Value: JSON.stringify({ canary_check: { enabled: false }, notifications: { webhook_secret_arn: secret.ARN } }),
          Type: 'String',
          Overwrite: true,
        }),
      );
      const digest = await pushImage(ctx, 'n1');
      const gh = {
        GITHUB_ACTIONS: 'true',
        GITHUB_TOKEN: 'ghs_test',
        GITHUB_REPOSITORY: 'acme/abca',
        GITHUB_SHA: 'f00dfeed',
        GITHUB_API_URL: rx.url,
        GITHUB_RUN_ID: '9',
      };
      // Act
      const run = await runTsx('scripts/publish-runtime.ts', ['--env', 'notify', '--image-digest', digest, '--poll-interval-ms', '20', '--json'], { env: gh });
      // Assess
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as { notifications: { target: string; ok: boolean; attempts: number }[] };
      expect(result.notifications).toEqual([
        { target: 'github', ok: true, attempts: 3 },
        { target: 'webhook', ok: true, attempts: 1 },
      ]);
      expect(rx.received.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /repos/acme/abca/deployments',
        'POST /repos/acme/abca/deployments',
        'POST /repos/acme/abca/deployments/42/statuses',
        'POST /hook',
      ]);
      expect(rx.received[1]).toMatchObject({
        auth: 'Bearer ghs_test',
        body: { ref: 'f00dfeed', environment: 'notify', task: 'abca:publish', auto_merge: false },
      });
      expect(rx.received[2]!.body).toMatchObject({ state: 'success', environment: 'notify', log_url: 'https://github.com/acme/abca/actions/runs/9' });
      expect(String(rx.received[3]!.body.text)).toContain('ABCA notify: publish succeeded');
      expect(run.stderr).not.toContain(`${rx.url}/hook`);
    } finally {
      await rx.close();
    }
  });

  it('a receiver that always fails is retried a bounded number of times and the release still succeeds', async () => {
    // Prepare
    const rx = await receiver(1000);
    try {
      const ctx = await bootstrappedRuntime('notifail', clients);
      await clients.ssm.send(
        new PutParameterCommand({
          Name: releasePolicyParameter('notifail'),
          Value: JSON.stringify({ canary_check: { enabled: false } }),
          Type: 'String',
          Overwrite: true,
        }),
      );
      const digest = await pushImage(ctx, 'n2');
      const gh = { GITHUB_ACTIONS: 'true', GITHUB_TOKEN: 'ghs_test', GITHUB_REPOSITORY: 'acme/abca', GITHUB_SHA: 'f00dfeed', GITHUB_API_URL: rx.url };
      // Act
      const run = await runTsx('scripts/publish-runtime.ts', ['--env', 'notifail', '--image-digest', digest, '--poll-interval-ms', '20', '--json'], {
        env: gh,
      });
      // Assess
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).notifications).toEqual([{ target: 'github', ok: false, attempts: 3, error: 'HTTP 502' }]);
      expect(rx.received).toHaveLength(3);
    } finally {
      await rx.close();
    }
  });
});
