import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { shortJobId } from '@/core/ids';
import { DemoJob } from '@/jobs';
import { listActivity } from '@/store/activity';
import { countByState, getJob } from '@/store/queries';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { hiddenFields } from './login-form';
import { sessionCookie, signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-pages-admin-token-0123456789';
const readonlyToken = 'admin-pages-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
// One database: the test writes through the store, the server and a worker read and change it.
const db = useTempDatabase(tokens);

describe('the admin pages in Chromium, against next start', () => {
  let server: NextServer;
  let browser: Browser;
  let pendingParent: string;
  let blockedChild: string;

  beforeAll(async () => {
    await ensureBuilt();
    pendingParent = await DemoJob.later({ steps: 1 }, { delay: '1h' });
    blockedChild = await DemoJob.later({ steps: 1 }, { dependsOn: [pendingParent] });
    server = await startNextServer({ DATABASE_URL: db.url, ...tokens });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const signIn = (token: string) => signInToAdmin(browser, server, token);

  it('without a session, /admin and a job\'s page redirect to the login, which comes back afterwards', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin`);
      await page.waitForURL(`${server.url}/login?next=%2Fadmin`);
      await page.goto(`${server.url}/admin/jobs/${blockedChild}`);
      await page.waitForURL(`${server.url}/login?next=${encodeURIComponent(`/admin/jobs/${blockedChild}`)}`);
      await page.getByTestId('login-token').fill(adminToken);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(`${server.url}/admin/jobs/${blockedChild}`);
      await page.getByTestId('why-waiting').waitFor();
    } finally {
      await page.close();
    }
  });

  it('the overview shows the counts per state, the queues and the workers, signed in as admin', async () => {
    await signIn(adminToken);
    const counts = await countByState(await db.engine());
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin`);
      expect(await page.getByTestId('session-role').textContent()).toBe('admin');
      expect(await page.getByTestId('count-pending').getAttribute('data-count')).toBe(String(counts.pending));
      expect(counts.pending).toBe(2);
      expect(await page.getByTestId('count-failed').getAttribute('data-count')).toBe('0');
      await page.locator('[data-testid="queue-row"][data-queue="default"]').waitFor();
      expect(await page.getByTestId('worker-counts').getAttribute('data-alive')).toBe('0');
      await page.screenshot({ path: screenshotPath('admin-overview'), fullPage: true });
      // On a phone, in the dark scheme: the nav wraps, the tables scroll inside their cards.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.reload();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('admin-overview-phone-dark'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('a job that failed shows under the failed tab, and Retry on its page puts it back to pending and logs who did it', async () => {
    const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
    let failedId: string;
    try {
      await worker.waitForOutput('started');
      failedId = await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 1 }, { maxAttempts: 1 });
      await waitFor(async () => (await getJob(await db.engine(), failedId))?.state === 'failed', `job ${failedId} to fail`);
    } finally {
      expect(await stopProcess(worker)).toBe(0);
    }
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs?state=failed`);
      expect(await page.getByTestId('tab-failed').getAttribute('aria-current')).toBe('page');
      const row = page.locator(`[data-testid="admin-job-row"][data-job-id="${failedId}"]`);
      await row.waitFor();
      expect(await row.getByTestId('state-label').textContent()).toBe('failed');
      await page.screenshot({ path: screenshotPath('admin-jobs-failed'), fullPage: true });

      await row.getByTestId('job-link').click();
      await page.waitForURL(`${server.url}/admin/jobs/${failedId}`);
      expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('failed');
      expect(await page.getByTestId('job-error').textContent()).toContain('Demo failure 1 of 1');
      expect(await page.getByTestId('attempt').getAttribute('data-outcome')).toBe('failed');
      expect(await page.getByTestId('cancel-button').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('admin-job-failed'), fullPage: true });

      await page.getByTestId('retry-button').click();
      await page.locator('[data-testid="job-state"][data-state="pending"]').waitFor();
      expect((await getJob(await db.engine(), failedId))?.state).toBe('pending');
      const { entries } = await listActivity(await db.engine(), { limit: 5 });
      expect(entries.find((e) => e.action === 'job.retry')).toMatchObject({ actor: 'admin', jobIds: [failedId] });
      // Pending now: Cancel replaces Retry.
      await page.getByTestId('cancel-button').waitFor();
    } finally {
      await page.close();
    }
  });

  it('a job waiting for a pending job says it is blocked by that job, with a link to it', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs/${blockedChild}`);
      const why = page.getByTestId('why-waiting');
      expect(await why.getAttribute('data-cause')).toBe('blocked');
      expect(await why.textContent()).toContain(`Blocked by job ${shortJobId(pendingParent)} demo (pending)`);
      await why.getByTestId('job-link').click();
      await page.waitForURL(`${server.url}/admin/jobs/${pendingParent}`);
      expect(await page.getByTestId('why-waiting').getAttribute('data-cause')).toBe('runs_later');
      await page.goto(`${server.url}/admin/jobs/${blockedChild}`);
      await page.screenshot({ path: screenshotPath('admin-job-blocked'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('a <script> in params shows as text and never runs', async () => {
    const message = '<script>window.__injected = 1</script><img src=x onerror="window.__injected = 2">';
    const id = await DemoJob.later({ steps: 1, message }, { delay: '1h' });
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs/${id}`);
      const params = JSON.parse((await page.getByTestId('job-params').textContent()) ?? 'null');
      expect(params.message).toBe(message);
      expect(await page.locator('[data-testid="job-params"] script, [data-testid="job-params"] img').count()).toBe(0);
      expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
      await page.screenshot({ path: screenshotPath('admin-job-script-params'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('with the read-only token no Retry or Cancel shows, and a cancel posted anyway is refused', async () => {
    // The cancel form as the admin's page renders it (React's hidden action fields and the job id), to forge it later.
    const adminCookie = (await browser.context.cookies()).find((c) => c.name === 'fluent_jobs_session');
    expect(adminCookie).toBeDefined();
    const adminHtml = await (await fetch(`${server.url}/admin/jobs/${blockedChild}`, { headers: { cookie: `${adminCookie!.name}=${adminCookie!.value}` } })).text();
    const form = /<form[^>]*data-testid="cancel-form"[^>]*>([\s\S]*?)<\/form>/.exec(adminHtml)?.[1];
    expect(form).toBeDefined();

    await signIn(readonlyToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs/${blockedChild}`);
      expect(await page.getByTestId('session-role').textContent()).toBe('read-only');
      await page.getByTestId('why-waiting').waitFor();
      expect(await page.getByTestId('job-actions').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await page.screenshot({ path: screenshotPath('admin-job-readonly'), fullPage: true });
    } finally {
      await page.close();
    }

    const readonlyCookie = await sessionCookie(browser);
    const body = hiddenFields(form!);
    const response = await fetch(`${server.url}/admin/jobs/${blockedChild}`, {
      method: 'POST', body, headers: { cookie: readonlyCookie, origin: server.url },
    });
    expect(await response.text()).toContain('The read-only token may only read; this needs the admin token');
    expect((await getJob(await db.engine(), blockedChild))?.state).toBe('pending');
  });

  it('the list pages with a keyset cursor, its tabs count the chosen queue, and an id search opens the job', async () => {
    await signIn(adminToken);
    const ids = await DemoJob.laterMany(Array.from({ length: 60 }, () => ({ steps: 1 })), { queue: 'paging', delay: '1h' });
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs?queue=paging`);
      expect(await page.getByTestId('tab-all').textContent()).toBe('all60');
      const shown = () => page.locator('[data-testid="admin-job-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')));
      const first = await shown();
      expect(first).toHaveLength(50);
      await page.getByTestId('next-page').click();
      await page.waitForURL(/cursor=/);
      const second = await shown();
      expect(second).toHaveLength(10);
      // Newest first, each job once across the two pages.
      expect([...first, ...second]).toEqual([...ids].reverse());
      expect(await page.getByTestId('next-page').count()).toBe(0);
      // On a phone the tabs and filters wrap, and the table scrolls inside its card, not the page.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('admin-jobs-phone') });
      await page.setViewportSize({ width: 1280, height: 720 });

      await page.getByLabel('Job id or prefix').fill(shortJobId(ids[7]));
      await page.getByTestId('id-search').getByRole('button', { name: 'Go' }).click();
      await page.waitForURL(`${server.url}/admin/jobs/${ids[7]}`);
      expect(await page.getByTestId('job-facts').textContent()).toContain(ids[7]);
      await page.goto(`${server.url}/admin/jobs?id=ffff0000`);
      expect(await page.getByTestId('list-problem').textContent()).toContain('No job matches "ffff0000"');
    } finally {
      await page.close();
    }
  });

  it('a running job shows its progress bar in the list, its worker on its page, and Cancel makes the worker abort it', async () => {
    const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
    const page = await browser.context.newPage();
    try {
      await worker.waitForOutput('started');
      const id = await DemoJob.later({ steps: 600, delayMs: 100 }, { queue: 'default', priority: 10 });
      await waitFor(async () => ((await getJob(await db.engine(), id))?.progress ?? 0) > 0, `job ${id} to report progress`);
      await page.goto(`${server.url}/admin/jobs?state=running`);
      const row = page.locator(`[data-testid="admin-job-row"][data-job-id="${id}"]`);
      expect(await row.getByRole('progressbar').count()).toBe(1);
      await page.screenshot({ path: screenshotPath('admin-jobs-running'), fullPage: true });

      await page.goto(`${server.url}/admin/jobs/${id}`);
      expect(await page.getByTestId('why-waiting').getAttribute('data-cause')).toBe('running');
      expect(await page.getByTestId('why-waiting').textContent()).toContain('(alive');
      await page.screenshot({ path: screenshotPath('admin-job-running'), fullPage: true });
      await page.getByTestId('cancel-button').click();
      await page.getByTestId('action-ok').waitFor();
      await waitFor(async () => (await getJob(await db.engine(), id))?.state === 'cancelled', `the worker to abort job ${id}`);
      await page.reload();
      expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('cancelled');
    } finally {
      await page.close();
      expect(await stopProcess(worker)).toBe(0);
    }
  });

  it('Cancel on a blocked job cancels it and logs the admin as who did it', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs/${blockedChild}`);
      await page.getByTestId('cancel-button').click();
      await page.locator('[data-testid="job-state"][data-state="cancelled"]').waitFor();
      expect(await page.getByTestId('action-ok').textContent()).toBe('Cancelled.');
      expect(await page.getByTestId('why-waiting').count()).toBe(0);
      await page.getByTestId('retry-button').waitFor(); // a cancelled job can be retried
      const { entries } = await listActivity(await db.engine(), { limit: 5 });
      expect(entries.find((e) => e.action === 'job.cancel')).toMatchObject({ actor: 'admin', jobIds: [blockedChild] });
    } finally {
      await page.close();
    }
  });
});
