import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { shortJobId } from '@/core/ids';
import { listActivity } from '@/store/activity';
import { listJobs } from '@/store/job-list';
import { getJob } from '@/store/queries';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-enqueue-admin-token-0123456789';
const readonlyToken = 'admin-enqueue-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
const db = useTempDatabase(tokens);

/** Every job in this test's database (a few, so a listing is exact). */
const jobCount = async () => (await listJobs(await db.engine(), { limit: 10_000 })).length;

describe('the admin Enqueue page in Chromium, against next start', () => {
  let server: NextServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureBuilt();
    server = await startNextServer({ DATABASE_URL: db.url, ...tokens });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = (token: string) => signInToAdmin(browser, server, token);

  /** Submits the form and keeps the server action post it sent (headers and body, for a replay). */
  async function submitAndCapture(page: Page): Promise<{ headers: Record<string, string>; body: string }> {
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.headers()['next-action'] !== undefined),
      page.getByTestId('enqueue-submit').click(),
    ]);
    const all = request.headers();
    return { headers: { 'next-action': all['next-action'], 'content-type': all['content-type'], accept: all.accept ?? 'text/x-component' }, body: request.postData() ?? '' };
  }

  /** A post made by hand with this page's session, replayed as an admin's page sent it. */
  async function replay(page: Page, request: { headers: Record<string, string>; body: string }): Promise<{ status: number; text: string }> {
    return page.evaluate(async ({ headers, body }) => {
      const response = await fetch('/admin/enqueue', { method: 'POST', headers, body });
      return { status: response.status, text: await response.text() };
    }, request);
  }

  /** Fills the params box and submits; waits for the message beside the form and returns it. */
  async function submitParams(page: Page, params: string, testId: 'enqueue-ok' | 'enqueue-error'): Promise<string> {
    await page.getByTestId('enqueue-params').fill(params);
    await page.getByTestId('enqueue-submit').click();
    return (await page.locator(`[data-testid="${testId}"]`).last().textContent({ timeout: 30_000 })) ?? '';
  }

  it('lists the registered job types with their defaults and params, each linking to its jobs', async () => {
    await signIn(adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/enqueue`);
      expect(await page.locator('nav[aria-label="Admin sections"] a[aria-current="page"]').textContent()).toBe('Enqueue');
      const demo = page.locator('[data-testid="type-row"][data-name="demo"]');
      const cleanup = page.locator('[data-testid="type-row"][data-name="cleanup"]');
      expect(await demo.textContent()).toContain('fixed 100ms');
      expect(await cleanup.textContent()).toContain('maintenance');
      expect(await cleanup.textContent()).toContain('0 * * * * (UTC)');
      const demoParams = await Promise.all((await demo.getByTestId('type-param').all()).map((p) => p.getAttribute('data-name')));
      expect(demoParams).toEqual(['steps', 'delayMs', 'failTimes', 'message']);
      expect(await demo.locator('[data-testid="type-param"][data-name="steps"]').textContent()).toBe('steps integer · 0 to 10000, default 10');
      const cleanupParams = await Promise.all((await cleanup.getByTestId('type-param').all()).map((p) => p.getAttribute('data-name')));
      expect(cleanupParams).toEqual(['completedOlderThan', 'failedOlderThan']);
      expect(await demo.getByTestId('type-jobs-link').getAttribute('href')).toBe('/admin/jobs?name=demo');
      // ?job= preselects the job in the form.
      expect(await page.getByTestId('enqueue-job').inputValue()).toBe('cleanup');
      await page.goto(`${server.url}/admin/enqueue?job=demo`);
      expect(await page.getByTestId('enqueue-job').inputValue()).toBe('demo');
      expect(await page.getByTestId('enqueue-params').inputValue()).toBe('{}');
      await cleanup.getByTestId('type-jobs-link').click();
      await page.waitForURL(`${server.url}/admin/jobs?name=cleanup`);
    } finally {
      await page.close();
    }
  });

  it('enqueues demo from the form, links to the new job, and a worker completes it; the action log says admin did it', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/enqueue?job=demo`);
      const before = await jobCount();
      await page.getByTestId('enqueue-priority').fill('high');
      expect(await submitParams(page, '{"steps":1}', 'enqueue-ok')).toMatch(/^Enqueued demo: /);
      const link = page.getByTestId('enqueued-job-link');
      const jobId = (await link.getAttribute('title'))!;
      expect(await link.textContent()).toBe(shortJobId(jobId));
      expect(await jobCount()).toBe(before + 1);
      const job = await getJob(await db.engine(), jobId);
      expect(job).toMatchObject({ name: 'demo', queue: 'default', priority: 5, state: 'pending' });
      expect(JSON.parse(job!.params)).toEqual({ steps: 1 });
      const { entries } = await listActivity(await db.engine(), { limit: 10 });
      expect(entries[0]).toMatchObject({ actor: 'admin', action: 'job.enqueue', jobIds: [jobId] });
      // A success empties the form for the next job.
      expect(await page.getByTestId('enqueue-priority').inputValue()).toBe('');
      await page.screenshot({ path: screenshotPath('admin-enqueue-done'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath('admin-enqueue-done-dark'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('admin-enqueue-phone'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 720 });

      await link.click();
      await page.waitForURL(`${server.url}/admin/jobs/${jobId}`);
      const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
      try {
        await worker.waitForOutput('started');
        await waitFor(async () => (await getJob(await db.engine(), jobId))?.state === 'completed', `job ${jobId} to run`);
      } finally {
        expect(await stopProcess(worker)).toBe(0);
      }
      await page.reload();
      expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('completed');
    } finally {
      await page.close();
    }
  });

  it('an idempotency key that names a live job answers with that job and stores nothing new', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/enqueue?job=demo`);
      await page.getByTestId('enqueue-delay').fill('1h');
      await page.getByTestId('enqueue-idempotency-key').fill('e2e-once');
      await submitParams(page, '{"steps":1}', 'enqueue-ok');
      const first = (await page.getByTestId('enqueued-job-link').getAttribute('title'))!;
      expect((await getJob(await db.engine(), first))!.runAt).toBeGreaterThan(Date.now() + 50 * 60_000);
      const before = await jobCount();
      await page.getByTestId('enqueue-idempotency-key').fill('e2e-once');
      await page.getByTestId('enqueue-params').fill('{"steps":2}');
      await page.getByTestId('enqueue-submit').click();
      await page.locator('[data-testid="enqueue-ok"][data-created="false"]').waitFor();
      expect(await page.getByTestId('enqueue-ok').textContent()).toContain('already pending or running');
      expect(await page.getByTestId('enqueued-job-link').getAttribute('title')).toBe(first);
      expect(await jobCount()).toBe(before);
    } finally {
      await page.close();
    }
  });

  it('bad JSON, params the schema refuses, a bad delay and an unknown job each show their message, keep what was typed, and store nothing', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/enqueue?job=demo`);
      const before = await jobCount();
      expect(await submitParams(page, '{"steps":', 'enqueue-error')).toContain('Params are not JSON');
      expect(await page.getByTestId('enqueue-params').inputValue()).toBe('{"steps":');
      expect(await page.getByTestId('enqueue-job').inputValue()).toBe('demo');
      await page.screenshot({ path: screenshotPath('admin-enqueue-bad-json'), fullPage: true });

      await page.getByTestId('enqueue-params').fill('{"steps":-1}');
      await page.getByTestId('enqueue-submit').click();
      await page.locator('[data-testid="enqueue-error"]', { hasText: 'Invalid params for demo: params.steps' }).waitFor();
      expect(await page.getByTestId('enqueue-params').inputValue()).toBe('{"steps":-1}');
      await page.screenshot({ path: screenshotPath('admin-enqueue-bad-params'), fullPage: true });

      await page.getByTestId('enqueue-params').fill('{"steps":1}');
      await page.getByTestId('enqueue-delay').fill('5 parsecs');
      await page.getByTestId('enqueue-submit').click();
      await page.locator('[data-testid="enqueue-error"]', { hasText: 'Invalid duration "5 parsecs"' }).waitFor();
      expect(await page.getByTestId('enqueue-delay').inputValue()).toBe('5 parsecs');

      // A name the select does not offer (a stale page after a deploy): the registry refuses it.
      await page.getByTestId('enqueue-delay').fill('');
      await page.getByTestId('enqueue-job').evaluate((select: HTMLSelectElement) => { select.options[0].value = 'no-such-job'; select.selectedIndex = 0; });
      await page.getByTestId('enqueue-submit').click();
      await page.locator('[data-testid="enqueue-error"]', { hasText: 'Unknown job "no-such-job"' }).waitFor();

      expect(await jobCount()).toBe(before);
    } finally {
      await page.close();
    }
  });

  it('read-only sees the job types but no form, and a forged post of the action is refused (the same post as admin works)', async () => {
    const adminPage = await browser.context.newPage();
    let post: { headers: Record<string, string>; body: string };
    try {
      await adminPage.goto(`${server.url}/admin/enqueue?job=demo`);
      await adminPage.getByTestId('enqueue-params').fill('{"steps":1}');
      await adminPage.getByTestId('enqueue-delay').fill('1h');
      post = await submitAndCapture(adminPage);
      await adminPage.getByTestId('enqueue-ok').waitFor();
    } finally {
      await adminPage.close();
    }

    await signIn(readonlyToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/enqueue`);
      await page.locator('[data-testid="type-row"][data-name="demo"]').waitFor();
      expect(await page.getByTestId('enqueue-form').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('admin-enqueue-readonly'), fullPage: true });
      const before = await jobCount();
      const refused = await replay(page, post);
      expect(refused.text).toContain('The read-only token may only read');
      expect(await jobCount()).toBe(before);
    } finally {
      await page.close();
    }
    await signIn(adminToken);
  });
});
