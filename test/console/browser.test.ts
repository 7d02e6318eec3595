/**
 * The workshop loop in a real browser: Debian's Chromium (playwright-core, headless, off the
 * network) against `npm run dev`'s stack started as a child process, as a participant runs it.
 * Screenshots of each screen go to docs/console/ (docs/console.md shows them); axe-core checks
 * every screen for serious accessibility violations.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, openBrowser, screenshot, signInAs, startDev, type DevStack } from './support';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ROOT = path.resolve(__dirname, '..', '..');

/** Serious or critical axe-core violations on the page as it is now (ids and node counts). */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the console's CSP (rightly) refuses inline scripts.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(`${AXE}\n;true`);
  // A string: this runs in the page, which this file's (Node) types do not describe.
  return page.evaluate<string[]>(
    `axe.run(document).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ' (' + v.nodes.length + ')'))`,
  );
}

let dev: DevStack;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`);
  dev = await startDev({ agentStepMs: 400 });
  browser = await openBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
}, 60_000);

jest.setTimeout(180_000);

describe('the workshop loop in the console', () => {
  const page = () => browser.page;

  it('prints the console URL, and the admin signs in (SRP) and sees the environment; a wrong password is refused', async () => {
    expect(dev.output()).toContain(`Console: ${dev.apiUrl}/console/`);
    await page().goto(dev.consoleUrl);
    await page().getByLabel('User name').fill(dev.admin.username);
    await page().getByLabel('Password', { exact: true }).fill(`${dev.admin.password}x`);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByRole('alert').waitFor();
    expect(await page().getByRole('alert').textContent()).toContain('NotAuthorizedException');
    await signInAs(page(), dev.consoleUrl, dev.admin);
    expect(await page().getByTestId('who').textContent()).toContain('admin (admin)');
    await page().getByTestId('live-digest').waitFor();
    await screenshot(page(), 'environment');
    expect(await seriousViolations(page())).toEqual([]);
  });

  it("shows the digest live serves, equal to what 'bgagent runtime status' says", async () => {
    // The same verb as `bgagent runtime status` (src/runtime/verbs/status), through its script: the
    // bgagent binary needs `npm run build:cli` first, which this test does not run.
    const run = spawnSync('npx', ['tsx', 'scripts/runtime-status.ts', '--env', 'dev', '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...dev.env },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`runtime status exited ${run.status}: ${run.stderr}`);
    const status = JSON.parse(run.stdout) as { runtime: { digest: string } };
    expect(status.runtime.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await page().getByTestId('live-digest').textContent()).toBe(status.runtime.digest);
  });

  it('onboards a repository: a guardrail refusal shows on the field, then provisioning turns active', async () => {
    await page().getByRole('link', { name: 'Repositories' }).click();
    const form = page().getByRole('form', { name: 'Onboard a repository' });
    await form.getByLabel('Repository (owner/name)').fill('acme/widgets');
    await form.getByLabel('Model id').fill('not-an-allowed-model');
    await form.getByRole('button', { name: 'Onboard' }).click();
    const fieldError = form.locator('[data-field-error="model_id"]');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain('is not allowed');
    expect(await form.getByLabel('Model id').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('alert').textContent()).toContain('GUARDRAIL_VIOLATION');
    await screenshot(page(), 'repositories-guardrail');
    await form.getByLabel('Model id').fill('');
    await form.getByRole('button', { name: 'Onboard' }).click();
    await page().locator('tr[data-repo="acme/widgets"] .badge', { hasText: 'active' }).waitFor({ timeout: 90_000 });
    await screenshot(page(), 'repositories');
    expect(await seriousViolations(page())).toEqual([]);
  });

  it('submits a task and watches it reach COMPLETED', async () => {
    await page().getByRole('link', { name: 'Tasks' }).click();
    const form = page().getByRole('form', { name: 'Submit a task' });
    await form.getByLabel('Repository (owner/name)').fill('acme/widgets');
    await form.getByLabel('Description').fill('Fix the flaky test');
    await form.getByRole('button', { name: 'Submit' }).click();
    const view = page().locator('[data-task]');
    await view.locator('.badge', { hasText: 'COMPLETED' }).waitFor({ timeout: 120_000 });
    await screenshot(page(), 'tasks');
    expect(await seriousViolations(page())).toEqual([]);
  });

  it('cancels another task', async () => {
    const form = page().getByRole('form', { name: 'Submit a task' });
    await form.getByLabel('Description').fill('A long refactor to cancel');
    await form.getByRole('button', { name: 'Submit' }).click();
    const view = page().locator('[data-task]', { hasText: 'A long refactor to cancel' });
    await view.getByRole('button', { name: 'Cancel task' }).click();
    await view.locator('.badge', { hasText: 'CANCELLED' }).waitFor({ timeout: 60_000 });
  });

  it('creates an API key shown once', async () => {
    await page().getByRole('link', { name: 'API keys' }).click();
    await page().getByLabel('Name').fill('ci-bot');
    await page().getByRole('button', { name: 'Create key' }).click();
    expect(await page().getByTestId('new-api-key').textContent()).toMatch(/^bgak_[a-f0-9]{16}_[a-f0-9]{64}$/);
    await page().locator('tr', { hasText: 'ci-bot' }).waitFor();
    await screenshot(page(), 'api-keys');
    expect(await seriousViolations(page())).toEqual([]);
  });

  it('invites a participant, who signs in with the temporary password, chooses one, and sees no admin screens', async () => {
    await page().getByRole('link', { name: 'Users' }).click();
    await page().getByLabel('User name').fill('ada');
    await page().getByRole('button', { name: 'Invite' }).click();
    const temporary = (await page().getByTestId('temporary-password').textContent())!;
    expect(temporary.length).toBeGreaterThanOrEqual(12);
    await page().locator('tr[data-user="ada"]').waitFor();
    await screenshot(page(), 'users');
    expect(await seriousViolations(page())).toEqual([]);
    await page().getByRole('button', { name: 'Sign out' }).click();
    // The Users screen has a "User name" field too: wait for the sign-in form before filling it.
    await page().getByRole('form', { name: 'Sign in' }).waitFor();

    await page().getByLabel('User name').fill('ada');
    await page().getByLabel('Password', { exact: true }).fill(temporary);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByLabel('New password', { exact: true }).fill('Ada-chooses-this-1');
    await page().getByLabel('New password again').fill('Ada-chooses-this-1');
    await screenshot(page(), 'first-sign-in');
    await page().getByRole('button', { name: 'Set password and sign in' }).click();
    await page().getByTestId('who').waitFor({ timeout: 30_000 });
    expect(await page().getByTestId('who').textContent()).toContain('ada (operator)');
    expect(await page().getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await page().getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page().getByRole('link', { name: 'Repositories' }).click();
    await page().locator('tr[data-repo="acme/widgets"]').waitFor();
    expect(await page().getByRole('form', { name: 'Onboard a repository' }).count()).toBe(0);
  });

  it('reads in the dark theme too, without serious violations', async () => {
    await page()
      .getByRole('button', { name: /Switch to dark theme/ })
      .click();
    await page().getByRole('link', { name: 'Environment' }).click();
    await page().getByTestId('live-digest').waitFor();
    await screenshot(page(), 'environment-dark');
    expect(await seriousViolations(page())).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
