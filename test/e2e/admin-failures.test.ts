import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { listActivity } from '@/store/activity';
import { getJob } from '@/store/queries';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { endJob } from '@/store/finish';
import { newJobId } from '@/core/ids';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { hiddenFields, unescapeHtml } from './login-form';
import { sessionCookie, signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-failures-admin-token-0123456789';
const readonlyToken = 'admin-failures-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
// One database: the test enqueues through the store, a worker fails the jobs, the server reads and changes them.
const db = useTempDatabase(tokens);

describe('the failures page: Retry all and Discard all per failure group, in Chromium against next start', () => {
  let server: NextServer;
  let browser: Browser;
  /** Twelve jobs that fail the same way (their first attempt throws), and three that time out. */
  let thrown: string[];
  let timedOut: string[];

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

  const stateOf = async (id: string) => (await getJob(await db.engine(), id))?.state ?? 'gone';
  const groupRow = (page: import('playwright-core').Page, failed: number) => page.locator(`[data-testid="failure-group"][data-failed="${failed}"]`);

  it('a worker fails 12 jobs one way and 3 another; the failures page shows the two groups with 12 and 3', async () => {
    thrown = await DemoJob.laterMany(Array.from({ length: 12 }, () => ({ steps: 1, delayMs: 1, failTimes: 1 })), { maxAttempts: 1 });
    timedOut = await DemoJob.laterMany(Array.from({ length: 3 }, () => ({ steps: 100, delayMs: 1_000 })), { maxAttempts: 1, timeout: '200ms' });
    const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
    try {
      await worker.waitForOutput('started');
      await waitFor(async () => {
        for (const id of [...thrown, ...timedOut]) if ((await stateOf(id)) !== 'failed') return false;
        return true;
      }, 'the 15 jobs to fail', 60_000);
    } finally {
      expect(await stopProcess(worker)).toBe(0);
    }

    await signIn(adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/failures`);
      const rows = page.getByTestId('failure-group');
      expect(await rows.count()).toBe(2);
      expect((await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-failed'))))).sort((a, b) => a - b)).toEqual([3, 12]);
      expect(await groupRow(page, 12).textContent()).toContain('Demo failure <n> of <n> (failTimes)');
      expect(await groupRow(page, 12).getByTestId('retry-group-button').textContent()).toBe('Retry all 12');
      expect(await groupRow(page, 3).getByTestId('discard-group-button').textContent()).toBe('Discard all 3');
      // First and last seen: relative, with the exact time on hover.
      expect(await groupRow(page, 12).locator('time').first().getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
      await page.screenshot({ path: screenshotPath('admin-failures-groups'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 120_000);

  it('read-only sees the groups without buttons, and a retry of a group posted anyway is refused', async () => {
    // The admin's Retry all form on the group page (React's hidden action fields, name and fingerprint), to forge it confirmed.
    const adminCookie = (await browser.context.cookies()).find((c) => c.name === 'fluent_jobs_session')!;
    const adminList = await (await fetch(`${server.url}/admin/failures`, { headers: { cookie: `${adminCookie.name}=${adminCookie.value}` } })).text();
    const groupPath = /<tr[^>]*data-failed="12"[\s\S]*?href="(\/admin\/failures\/[^"]+)"/.exec(adminList)?.[1];
    expect(groupPath).toBeDefined();
    const adminHtml = await (await fetch(`${server.url}${unescapeHtml(groupPath!)}`, { headers: { cookie: `${adminCookie.name}=${adminCookie.value}` } })).text();
    const form = /<form[^>]*data-testid="retry-group-form"[^>]*>([\s\S]*?)<\/form>/.exec(adminHtml)?.[1];
    expect(form).toBeDefined();

    await signIn(readonlyToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/failures`);
      expect(await page.getByTestId('failure-group').count()).toBe(2);
      expect(await page.getByTestId('group-actions').count()).toBe(0);
      await page.goto(`${server.url}${unescapeHtml(groupPath!)}`);
      expect(await page.getByTestId('group-job').count()).toBe(12);
      expect(await page.getByTestId('group-actions').count()).toBe(0);
      expect(await page.getByRole('button', { name: /Retry all|Discard all/ }).count()).toBe(0);
      await page.screenshot({ path: screenshotPath('admin-failure-group-readonly'), fullPage: true });
    } finally {
      await page.close();
    }

    const readonlyCookie = await sessionCookie(browser);
    const body = hiddenFields(form!);
    body.append('confirm', 'yes');
    const response = await fetch(`${server.url}${unescapeHtml(groupPath!)}`, {
      method: 'POST', body, headers: { cookie: readonlyCookie, origin: server.url },
    });
    expect(await response.text()).toContain('The read-only token may only read; this needs the admin token');
    for (const id of thrown) expect(await stateOf(id)).toBe('failed');
    expect((await listActivity(await db.engine(), { limit: 20 })).entries.filter((e) => e.action === 'job.retry')).toEqual([]);
  });

  it('the group of 12 lists its jobs newest first; Retry all states 12, then retries them all and logs it once', async () => {
    await signIn(adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/failures`);
      await groupRow(page, 12).getByTestId('group-link').click();
      await page.waitForURL(/\/admin\/failures\/demo\/[^/]+$/);
      expect(await page.getByTestId('group-description').textContent()).toContain('Error: Demo failure <n> of <n> (failTimes)');
      expect(await page.getByTestId('group-description').textContent()).toContain('src/jobs/demo.ts');
      expect(await page.getByTestId('group-failed').textContent()).toBe('12');
      const listed = await page.getByTestId('group-job').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-job-id')));
      expect([...listed].sort()).toEqual([...thrown].sort());
      await page.screenshot({ path: screenshotPath('admin-failure-group'), fullPage: true });
      // Newest failure first (completed_at, then id, descending), and a keyset page after the fifth starts at the sixth.
      const keyed = await Promise.all(listed.map(async (id) => ({ id: id!, at: (await getJob(await db.engine(), id!))!.completedAt! })));
      expect(listed).toEqual([...keyed].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((k) => k.id));
      const groupUrl = page.url();
      await page.goto(`${groupUrl}?before=${keyed[4].at}~${keyed[4].id}`);
      expect(await page.getByTestId('group-job').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-job-id')))).toEqual(listed.slice(5));
      await page.goto(groupUrl);

      await page.getByTestId('retry-group-button').click();
      const confirm = page.getByTestId('retry-group-confirm');
      await confirm.waitFor();
      expect(await confirm.getAttribute('data-count')).toBe('12');
      expect(await confirm.getByTestId('confirm-message').textContent()).toBe('Retry 12 failed jobs of demo?');
      // One question at a time: Discard all steps aside while Retry all asks. Nothing changed by the dry run.
      expect(await page.getByTestId('discard-group-button').count()).toBe(0);
      for (const id of thrown) expect(await stateOf(id)).toBe('failed');
      await page.screenshot({ path: screenshotPath('admin-failure-group-confirm'), fullPage: true });

      await confirm.getByTestId('retry-group-confirm-button').click();
      await page.getByTestId('group-action-ok').waitFor();
      expect(await page.getByTestId('group-action-ok').textContent()).toBe('Retried 12 jobs');
      for (const id of thrown) expect(await stateOf(id)).toBe('pending');
      for (const id of timedOut) expect(await stateOf(id)).toBe('failed');
      await page.getByText('No failed jobs in this group now.').waitFor();
      await page.screenshot({ path: screenshotPath('admin-failure-group-retried'), fullPage: true });

      const retries = (await listActivity(await db.engine(), { limit: 20 })).entries.filter((e) => e.action === 'job.retry');
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ actor: 'admin', jobCount: 12, details: { bulk: true, failureGroup: { name: 'demo' } } });
      expect([...retries[0].jobIds].sort()).toEqual([...thrown].sort());
    } finally {
      await page.close();
    }
  });

  it('Discard all on the failures page states 3, deletes those 3 only, and logs it once', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/failures`);
      expect(await page.getByTestId('failure-group').count()).toBe(1);
      const row = groupRow(page, 3);
      expect(await row.textContent()).toContain('timed out');
      await row.getByTestId('discard-group-button').click();
      const confirm = row.getByTestId('discard-group-confirm');
      await confirm.waitFor();
      expect(await confirm.getAttribute('data-count')).toBe('3');
      expect(await confirm.getByTestId('confirm-message').textContent()).toBe('Delete 3 failed jobs of demo?');
      // Back leaves everything as it was; asking again counts again.
      await confirm.getByTestId('discard-group-back').click();
      await row.getByTestId('discard-group-button').click();
      await row.getByTestId('discard-group-confirm').waitFor();
      await page.screenshot({ path: screenshotPath('admin-failures-discard-confirm'), fullPage: true });
      await row.getByTestId('discard-group-confirm-button').click();
      await page.getByTestId('group-action-ok').waitFor();
      expect(await page.getByTestId('group-action-ok').textContent()).toBe('Deleted 3 jobs');
      for (const id of timedOut) expect(await stateOf(id)).toBe('gone');
      for (const id of thrown) expect(await stateOf(id)).toBe('pending');
      await page.getByText('No failed jobs.').waitFor();
      await page.screenshot({ path: screenshotPath('admin-failures-discarded'), fullPage: true });

      const { entries } = await listActivity(await db.engine(), { limit: 20 });
      const deletes = entries.filter((e) => e.action === 'job.delete');
      expect(deletes).toHaveLength(1);
      expect(deletes[0]).toMatchObject({ actor: 'admin', jobCount: 3 });
      expect([...deletes[0].jobIds].sort()).toEqual([...timedOut].sort());
      expect(entries.filter((e) => e.action === 'job.retry')).toMatchObject([{ actor: 'admin', jobCount: 12 }]);
    } finally {
      await page.close();
    }
  });
  it('with more than 100 groups the page shows the newest 100, Next the rest, and Newest goes back', async () => {
    // 130 groups, one per job name, failed through the store as a worker fails them, a second apart.
    const engine = await db.engine();
    const start = Date.now() - 200_000;
    const names = Array.from({ length: 130 }, (_, i) => `export-${String(i).padStart(3, '0')}`);
    for (const [i, name] of names.entries()) {
      const job: NewJob = { id: newJobId(), name, queue: 'exports', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1_000, runAt: start, idempotencyKey: null };
      const now = start + i * 1_000;
      await enqueueJobs(engine, [job], now);
      await claimJobs(engine, { workerId: 'w', queues: ['exports'], limit: 1, now, leaseMs: 1_000 });
      await endJob(engine, { jobId: job.id, workerId: 'w', attempt: 1 }, { state: 'failed', outcome: 'failed', error: { name: 'Error', message: 'disk full' }, now, logs: [] });
    }
    const page = await browser.context.newPage();
    try {
      const shown = () => page.getByTestId('group-link').evaluateAll((as) => as.map((a) => a.textContent));
      await page.goto(`${server.url}/admin/failures`);
      const first = await shown();
      expect(first).toEqual([...names].reverse().slice(0, 100));
      expect(await page.getByTestId('failures-newest').count()).toBe(0);
      await page.getByTestId('failures-next').click();
      await page.waitForURL(/\/admin\/failures\?after=/);
      expect(await shown()).toEqual([...names].reverse().slice(100));
      expect(await page.getByTestId('failures-next').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('admin-failures-page-2'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('admin-failures-page-2-phone-dark'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.getByTestId('failures-newest').click();
      await page.waitForURL(`${server.url}/admin/failures`);
      expect(await shown()).toEqual(first);
      await page.goto(`${server.url}/admin/failures?after=nonsense`);
      expect(await page.getByTestId('list-problem').textContent()).toContain('not one this page made');
      expect(await shown()).toEqual(first);
    } finally {
      await page.close();
    }
  });
});
