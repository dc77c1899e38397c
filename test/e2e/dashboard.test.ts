/**
 * The web dashboard end to end, in a real browser: a control plane process serving the dashboard
 * (--web-listen), real local clusters, and Debian's headless Chromium driven by playwright-core.
 * An application submitted with the CLI appears on the list page and reaches FINISHED on its page
 * without a reload (the page is pushed WatchApplication events over gRPC-Web), its driver log is
 * read there, and a running application is cancelled with the page's button, which the control
 * plane then reports CANCELED. On a control plane with tokens (--auth-config), the page asks for
 * one and, given tenant A's (the CLI's token), lists A's applications and not B's. An application
 * page left open while the control plane restarts (same state dir, same dashboard address) resumes
 * its timeline after the last sequence and its log from the last offset: nothing twice, nothing lost.
 *
 * Screenshots of each page are written to test-output/dashboard/ at the repository root
 * (git-ignored; docs/dashboard.md), for people to look at: applications.png, clusters.png,
 * application.png (the finished one) and canceled-application.png.
 */
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { DRIVER_APP } from '../controlplane/controlPlaneTesting.js';
import { TOKEN_A, TOKEN_B, writeAuthConfig } from '../security/securityTesting.js';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

/** Where the screenshots go (git-ignored). */
const SCREENSHOTS = join(ROOT, 'test-output/dashboard');
const APPS = join(ROOT, 'test/e2e/fixtures/apps');

let controlPlane: TestControlPlane;
let browser: Browser;
let page: Page;
let url: string;

beforeAll(async () => {
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  ({ controlPlane, url } = await startWithDashboard([]));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // A fresh profile of its own (playwright's launch makes one per browser), nothing fetched from elsewhere.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  // Set once; a reload would lose it.
  await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Submits `slow.js` in driver mode with the CLI (detached): `records` records at 5 ms each. */
async function submitSlow(name: string, records: number, to = controlPlane): Promise<string> {
  const run = await runCli(
    ['run', '-D', '--name', name, '-c', 'slow.js#main', APPS, String(records), join(sharedDir(), 'out')],
    to.env,
  );
  expect(run.stderr).not.toContain('"level":50');
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

/** Waits until the page's application status reads `status`. */
async function statusReaches(status: string, timeout = 120_000, on = page): Promise<void> {
  await on.locator(`[data-testid="summary"] [data-status="${status}"]`).waitFor({ timeout });
}

/** A port that was free a moment ago, for a dashboard that must come back on the same address. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a control plane serving the dashboard on `webListen` with `args` (on `stateDir` when given);
 * resolves with it and the dashboard's URL.
 */
async function startWithDashboard(
  args: readonly string[],
  webListen = '127.0.0.1:0',
  stateDir?: string,
): Promise<{ controlPlane: TestControlPlane; url: string }> {
  const addressFile = join(tempDir('flotilla-web-address-'), 'web.address');
  const started = await startControlPlane(
    ['--web-listen', webListen, '--web-address-file', addressFile, ...args],
    stateDir,
  );
  return { controlPlane: started, url: `http://${readFileSync(addressFile, 'utf8').trim()}/` };
}

/** Writes a screenshot of the whole page and checks the file is there, not empty, and a PNG. */
async function screenshot(name: string): Promise<void> {
  const file = join(SCREENSHOTS, name);
  await page.screenshot({ path: file, fullPage: true });
  expect(statSync(file).size).toBeGreaterThan(0);
  // A PNG: its 8-byte signature.
  expect([...readFileSync(file).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
}

const stillTheSamePage = () => page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce);

describe('the web dashboard', () => {
  it('shows an application submitted with the CLI appear, reach FINISHED live, with its driver log', async () => {
    // About 8 s of records: long enough for the page to see it running before it finishes.
    const applicationId = await submitSlow('dashboard-quick', 1500);
    // The list page fetches the applications again every few seconds: the new one appears.
    const row = page.locator(`tr[data-application-id="${applicationId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('dashboard-quick');
    await screenshot('applications.png');

    await row.getByRole('link', { name: applicationId }).click();
    await page.getByTestId('application-id').filter({ hasText: applicationId }).waitFor();
    await statusReaches('RUNNING');
    await statusReaches('FINISHED');
    // Events pushed over WatchApplication: the timeline tells the story as the CLI's watch does.
    const timeline = page.getByTestId('timeline');
    await expect.poll(() => timeline.textContent(), { timeout: 10_000 }).toContain('application FINISHED');
    expect(await timeline.textContent()).toContain('application RUNNING');
    // The driver log, followed to its end: what main() printed.
    await expect
      .poll(() => page.getByTestId('driver-log').textContent(), { timeout: 30_000 })
      .toBe('counting to 1500 slowly\ndone\n');
    await expect.poll(() => page.getByTestId('log-state').textContent(), { timeout: 30_000 }).toContain('end of');
    // Its jobs: the driver job and the slow job, both FINISHED.
    await expect
      .poll(async () => (await page.locator('tr[data-job-id]').allTextContents()).join('\n'), { timeout: 10_000 })
      .toMatch(/dashboard-quick: slow job\s*FINISHED/);
    expect(await stillTheSamePage()).toBe(true);
    await screenshot('application.png');

    await page.getByTestId('nav-clusters').click();
    await page.locator('tr[data-cluster-id]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('main').textContent()).toContain(applicationId);
    await screenshot('clusters.png');
    expect(await stillTheSamePage()).toBe(true);
  }, 180_000);

  it('cancels a running application with the button; the control plane reports it CANCELED', async () => {
    const applicationId = await submitSlow('dashboard-slow', 100_000);
    await page.evaluate(
      (id) =>
        ((globalThis as unknown as { location: { hash: string } }).location.hash =
          `#/applications/${encodeURIComponent(id)}`),
      applicationId,
    );
    await statusReaches('RUNNING');
    // Running main() prints its first line before its job starts.
    await expect
      .poll(() => page.getByTestId('driver-log').textContent(), { timeout: 30_000 })
      .toContain('counting to 100000 slowly');
    const cancel = page.getByTestId('cancel');
    expect(await cancel.isEnabled()).toBe(true);
    await cancel.click();
    await statusReaches('CANCELED', 60_000);
    expect(await cancel.isDisabled()).toBe(true);
    await expect
      .poll(() => page.getByTestId('timeline').textContent(), { timeout: 10_000 })
      .toContain('application CANCELED');
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application?.status).toBe(ApplicationStatus.CANCELED);
    const status = await runCli(['status', applicationId, '-o', 'json'], controlPlane.env);
    expect(JSON.parse(status.stdout).application.status).toBe('APPLICATION_STATUS_CANCELED');
    expect(await stillTheSamePage()).toBe(true);
    await screenshot('canceled-application.png');
  }, 180_000);

  it('asks for a token on a control plane with tokens, and shows the tenant of the token only its own', async () => {
    const { controlPlane: secured, url: securedUrl } = await startWithDashboard([
      '--auth-config',
      writeAuthConfig(),
      '--deployment-target',
      'simulated',
    ]);
    const submit = async (token: string, name: string) => {
      const run = await runCli(['run', '-D', '--name', name, DRIVER_APP], { ...secured.env, FLOTILLA_TOKEN: token });
      expect(run.code).toBe(0);
      return run.stdout.trim();
    };
    const ofA = await submit(TOKEN_A, 'of-team-a');
    const ofB = await submit(TOKEN_B, 'of-team-b');
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(securedUrl);
      const box = tab.locator('form.token-box');
      await box.waitFor({ state: 'visible' });
      await expect.poll(() => box.textContent()).toContain('This control plane asks for a token');
      await tab.getByTestId('token').fill(TOKEN_A);
      await box.getByRole('button', { name: 'Use token' }).click();
      await tab.locator(`tr[data-application-id="${ofA}"]`).waitFor({ timeout: 30_000 });
      expect(await tab.locator(`tr[data-application-id="${ofB}"]`).count()).toBe(0);
      // The token stays with the tab (sessionStorage), never in the page's address or a cookie.
      expect(
        await tab.evaluate(() =>
          (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem(
            'flotilla.token',
          ),
        ),
      ).toBe(TOKEN_A);
      expect(tab.url()).not.toContain(TOKEN_A);
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('resumes the timeline and the log across a restart of the control plane, without repeating or losing any', async () => {
    const port = await freePort();
    const stateDir = tempDir('flotilla-cp-');
    const first = await startWithDashboard([], `127.0.0.1:${port}`, stateDir);
    const applicationId = await submitSlow('dashboard-restart', 3000, first.controlPlane);
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(`${first.url}#/applications/${applicationId}`);
      await statusReaches('RUNNING', 120_000, tab);
      await expect
        .poll(() => tab.getByTestId('driver-log').textContent(), { timeout: 30_000 })
        .toBe('counting to 3000 slowly\n');
      // The page's streams break with the control plane and are opened again once it is back.
      expect(await first.controlPlane.stop('SIGTERM')).toBe(0);
      await expect
        .poll(() => tab.getByTestId('timeline-state').textContent(), { timeout: 10_000 })
        .toContain('reconnecting');
      const second = await startWithDashboard([], `127.0.0.1:${port}`, stateDir);
      expect(second.url).toBe(first.url);
      await statusReaches('FINISHED', 120_000, tab);
      await expect
        .poll(() => tab.getByTestId('driver-log').textContent(), { timeout: 30_000 })
        .toBe('counting to 3000 slowly\ndone\n');
      await expect
        .poll(() => tab.getByTestId('timeline').textContent(), { timeout: 10_000 })
        .toContain('application FINISHED');
      // Each event once, in order: resumed after the last sequence seen.
      const sequences = (await tab
        .locator('[data-testid="timeline"] li')
        .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-sequence'))))) as number[];
      expect(sequences.length).toBeGreaterThan(5);
      expect(sequences).toEqual([...new Set(sequences)].sort((a, b) => a - b));
    } finally {
      await context.close();
    }
  }, 240_000);
});
