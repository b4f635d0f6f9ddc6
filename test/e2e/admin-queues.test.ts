import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { getConfig } from '@/config/env';
import { DemoJob } from '@/jobs';
import { listActivity } from '@/store/activity';
import { claimJobById } from '@/store/claim';
import { listQueueLimits } from '@/store/limits';
import { getJob } from '@/store/queries';
import { listPausedQueues } from '@/store/queues';
import { registerWorker } from '@/store/workers';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { hiddenFields } from './login-form';
import { sessionCookie, signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-queues-admin-token-0123456789';
const readonlyToken = 'admin-queues-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
// One database: the test writes through the store, the server and a worker read and change it.
const db = useTempDatabase(tokens);

describe('the queues and workers pages change and show queue state, against next start in Chromium', () => {
  let server: NextServer;
  let browser: Browser;
  let firstMail: string;

  beforeAll(async () => {
    await ensureBuilt();
    // A queue shows on the page once it holds a job; no worker runs yet, so this one waits, ready.
    firstMail = await DemoJob.later({ steps: 1, delayMs: 1 }, { queue: 'mail' });
    await DemoJob.later({ steps: 1 }, { queue: 'reports', delay: '1h' });
    server = await startNextServer({ DATABASE_URL: db.url, ...tokens });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = (token: string) => signInToAdmin(browser, server, token);

  const row = (page: import('playwright-core').Page, queue: string) => page.locator(`[data-testid="queue-row"][data-queue="${queue}"]`);

  it('Pause parks the queue\'s jobs, a job enqueued then waits as paused, and Resume lets a worker run them', async () => {
    await signIn(adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/queues`);
      const mail = row(page, 'mail');
      expect(await mail.getByTestId('queue-state').getAttribute('data-paused')).toBe('false');
      await mail.getByTestId('pause-button').click();
      await mail.locator('[data-testid="queue-state"][data-paused="true"]').waitFor();
      expect(await mail.getByTestId('action-ok').textContent()).toBe('Paused mail: 1 waiting job parked.');
      await mail.getByTestId('resume-button').waitFor();
      expect(await isPaused('mail')).toBe(true);
      const { entries } = await listActivity(await db.engine(), { limit: 5 });
      expect(entries.find((e) => e.action === 'queue.pause')).toMatchObject({ actor: 'admin', target: 'mail' });

      const second = await DemoJob.later({ steps: 1, delayMs: 1 }, { queue: 'mail' });
      await page.reload();
      expect(await row(page, 'mail').locator('td').nth(3).textContent()).toBe('2'); // the Paused column
      await page.screenshot({ path: screenshotPath('admin-queues-paused'), fullPage: true });
      await page.goto(`${server.url}/admin/jobs/${second}`);
      const why = page.getByTestId('why-waiting');
      expect(await why.getAttribute('data-cause')).toBe('queue_paused');
      expect(await why.textContent()).toContain('Its queue mail is paused');
      await page.screenshot({ path: screenshotPath('admin-job-queue-paused'), fullPage: true });

      await page.goto(`${server.url}/admin/queues`);
      await row(page, 'mail').getByTestId('resume-button').click();
      await row(page, 'mail').locator('[data-testid="queue-state"][data-paused="false"]').waitFor();
      expect(await row(page, 'mail').getByTestId('action-ok').textContent()).toBe('Resumed mail: 2 jobs back in line.');
      expect(await isPaused('mail')).toBe(false);

      const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
      try {
        await worker.waitForOutput('started');
        await waitFor(async () => (await getJob(await db.engine(), second))?.state === 'completed', `job ${second} to run`);
        await waitFor(async () => (await getJob(await db.engine(), firstMail))?.state === 'completed', `job ${firstMail} to run`);
      } finally {
        expect(await stopProcess(worker)).toBe(0);
      }
      await page.goto(`${server.url}/admin/jobs/${second}`);
      expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('completed');
    } finally {
      await page.close();
    }
  });

  it('sets a rate limit from "100/1m", refuses a bad one with its message, and clears it', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/queues`);
      const reports = row(page, 'reports');
      await reports.getByTestId('rate-input').fill('lots');
      await reports.getByTestId('rate-button').click();
      await reports.getByTestId('action-error').waitFor();
      expect(await reports.getByTestId('action-error').textContent()).toMatch(/rate/i);
      expect(await reports.getByTestId('rate-input').inputValue()).toBe('lots'); // kept, to fix
      await page.screenshot({ path: screenshotPath('admin-queues-rate-error'), fullPage: true });
      expect(await rateOf('reports')).toBeNull();

      await reports.getByTestId('rate-input').fill('100/1m');
      await reports.getByTestId('rate-button').click();
      await reports.locator('[data-testid="queue-rate"]', { hasText: '100/1m' }).waitFor();
      expect(await reports.getByTestId('action-ok').textContent()).toBe('Limited reports to 100/1m.');
      expect(await rateOf('reports')).toMatchObject({ rateMax: 100, rateDurationMs: 60_000 });
      await page.screenshot({ path: screenshotPath('admin-queues-rate-limit'), fullPage: true });
      // On a phone the controls stay on one line and the table scrolls inside its card, not the page.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('admin-queues-phone') });
      await page.setViewportSize({ width: 1280, height: 720 });

      await reports.getByTestId('clear-rate-button').click();
      await reports.locator('[data-testid="queue-rate"]', { hasText: 'none' }).waitFor();
      expect(await reports.getByTestId('action-ok').textContent()).toBe('Lifted the rate limit of reports.'); // only the latest answer shows
      expect(await reports.getByTestId('clear-rate-button').count()).toBe(0);
      expect(await rateOf('reports')).toBeNull();
      const { entries } = await listActivity(await db.engine(), { limit: 10 });
      expect(entries.find((e) => e.action === 'queue.rate_limit.set')).toMatchObject({ actor: 'admin', target: 'reports' });
      expect(entries.find((e) => e.action === 'queue.rate_limit.clear')).toMatchObject({ actor: 'admin', target: 'reports' });
    } finally {
      await page.close();
    }
  });

  it('with the read-only token no controls show, and a pause posted anyway is refused', async () => {
    // The pause form as the admin's page renders it (React's hidden action fields and the queue), to forge it later.
    const adminCookie = (await browser.context.cookies()).find((c) => c.name === 'fluent_jobs_session');
    expect(adminCookie).toBeDefined();
    const adminHtml = await (await fetch(`${server.url}/admin/queues`, { headers: { cookie: `${adminCookie!.name}=${adminCookie!.value}` } })).text();
    const forms = [...adminHtml.matchAll(/<form[^>]*data-testid="pause-form"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => m[1]);
    const form = forms.find((f) => f.includes('value="reports"'));
    expect(form).toBeDefined();

    await signIn(readonlyToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/queues`);
      expect(await page.getByTestId('session-role').textContent()).toBe('read-only');
      await row(page, 'reports').waitFor();
      expect(await page.getByTestId('queue-controls').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Set limit' }).count()).toBe(0);
      await page.screenshot({ path: screenshotPath('admin-queues-readonly'), fullPage: true });
    } finally {
      await page.close();
    }

    const readonlyCookie = await sessionCookie(browser);
    const body = hiddenFields(form!);
    expect(body.get('queue')).toBe('reports');
    const response = await fetch(`${server.url}/admin/queues`, {
      method: 'POST', body, headers: { cookie: readonlyCookie, origin: server.url },
    });
    expect(await response.text()).toContain('The read-only token may only read; this needs the admin token');
    expect(await isPaused('reports')).toBe(false);
    const { entries } = await listActivity(await db.engine(), { limit: 20 });
    expect(entries.filter((e) => e.action === 'queue.pause' && e.target === 'reports')).toHaveLength(0);
  });

  it('a dead worker lists the running job it still holds, with a link to it, and says its lease is taken back once it expires', async () => {
    const engine = await db.engine();
    const { leaseMs } = getConfig();
    const now = Date.now();
    // Last heard from ten leases ago: dead. Its job's lease runs an hour, so no worker takes it back during the test.
    await registerWorker(engine, { id: 'worker-gone', host: 'lost-host', pid: 4242, queues: ['held'], concurrency: 1, jobNames: ['demo'], now: now - 10 * leaseMs });
    const held = await DemoJob.later({ steps: 1 }, { queue: 'held' });
    expect(await claimJobById(engine, { id: held, workerId: 'worker-gone', now, leaseMs: 3_600_000 })).not.toBeNull();

    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/workers`);
      expect(await page.locator('[data-testid="worker-row"][data-status="dead"]').count()).toBe(1);
      const section = page.locator('[data-testid="held-jobs"][data-worker-id="worker-gone"]');
      const job = section.locator(`[data-testid="held-job"][data-job-id="${held}"]`);
      await job.waitFor();
      expect(await section.locator('[data-testid="held-job"]').count()).toBe(1);
      expect(await section.textContent()).toContain('Their leases are taken back once they expire');
      await page.screenshot({ path: screenshotPath('admin-workers-dead-held'), fullPage: true });
      await job.getByTestId('job-link').click();
      await page.waitForURL(`${server.url}/admin/jobs/${held}`);
      expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('running');
    } finally {
      await page.close();
    }
  });
});

async function rateOf(queue: string) {
  return (await listQueueLimits(await db.engine())).find((l) => l.queue === queue) ?? null;
}

async function isPaused(queue: string): Promise<boolean> {
  return (await listPausedQueues(await db.engine())).includes(queue);
}
