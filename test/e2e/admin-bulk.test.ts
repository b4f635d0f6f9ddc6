import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getConfig } from '@/config/env';
import { DemoJob } from '@/jobs';
import { storeNewJobs } from '@/lib/jobs/enqueue';
import { buildNewJob } from '@/lib/jobs/job-spec';
import { listActivity } from '@/store/activity';
import type { NewJob } from '@/store/enqueue';
import { getJob } from '@/store/queries';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { sessionCookie, signInToAdmin } from './admin-login';
import { hiddenFields } from './login-form';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-bulk-admin-token-0123456789';
const readonlyToken = 'admin-bulk-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
// One database: the test enqueues through the store, a worker runs the jobs, the server lists and changes them.
const db = useTempDatabase(tokens);

/** Jobs written through the store with params no class schema allows (a worker never sees them: they wait an hour). */
async function seed(params: Record<string, unknown>[], queue: string): Promise<string[]> {
  const now = Date.now();
  const rows: NewJob[] = params.map((p) => ({
    ...buildNewJob(DemoJob, {}, { queue, delay: '1h' }, getConfig(), now),
    params: JSON.stringify(p),
  }));
  return storeNewJobs(await db.engine(), rows, now);
}

describe('the jobs list: a params filter, and bulk Retry / Cancel / Delete of ticked rows or all matching, in Chromium against next start', () => {
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

  const stateOf = async (id: string) => (await getJob(await db.engine(), id))?.state ?? 'gone';
  const listed = (page: Page) => page.getByTestId('admin-job-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')));
  /**
   * Screenshots of the window (the bar sticks to its bottom) at 1280 px light and
   * dark and 390 px light and dark; the page must not be wider than the phone.
   */
  async function screenshots(page: Page, name: string): Promise<void> {
    for (const [width, height, suffix] of [[1280, 720, ''], [390, 844, '-phone']] as const) {
      await page.setViewportSize({ width, height });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: screenshotPath(`${name}${suffix}-light`) });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath(`${name}${suffix}-dark`) });
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await page.setViewportSize({ width: 1280, height: 720 });
  }

  it('a worker fails 50 jobs; on the failed tab Select all matching counts 50, Retry asks "Retry 50 failed jobs?", retries them, the worker completes them, and Activity logs it once', async () => {
    const failing = await DemoJob.laterMany(Array.from({ length: 50 }, () => ({ steps: 1, delayMs: 1, failTimes: 1 })), { maxAttempts: 1 });
    const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
    await signInToAdmin(browser, server, adminToken);
    const page = await browser.context.newPage();
    try {
      await worker.waitForOutput('started');
      await waitFor(async () => {
        for (const id of failing) if ((await stateOf(id)) !== 'failed') return false;
        return true;
      }, 'the 50 jobs to fail', 60_000);

      await page.goto(`${server.url}/admin/jobs?state=failed`);
      expect(await page.getByTestId('admin-job-row').count()).toBe(50);
      // Nothing ticked: no bar. One tick opens it; the header box ticks the page.
      expect(await page.getByTestId('bulk-bar').isVisible()).toBe(false);
      await page.getByTestId('select-job').first().check();
      await page.getByTestId('bulk-bar').waitFor();
      expect(await page.getByTestId('bulk-selected').textContent()).toBe('1 selected');
      await page.getByTestId('select-page').check();
      expect(await page.getByTestId('bulk-selected').textContent()).toBe('50 selected');
      // Cancel does not apply to failed jobs: runBulk would refuse it, so the button is off.
      expect(await page.getByTestId('bulk-cancel').isDisabled()).toBe(true);
      expect(await page.getByTestId('bulk-applies').textContent())
        .toBe('Each changes only the jobs it applies to: retry failed or cancelled; cancel pending or running; delete completed, failed or cancelled.');

      await page.getByTestId('bulk-select-matching').click();
      await page.locator('[data-testid="bulk-selected"][data-scope="filter"]').waitFor();
      expect(await page.getByTestId('bulk-selected').getAttribute('data-count')).toBe('50');
      expect(await page.getByTestId('bulk-selected').textContent()).toBe('All 50 jobs matching this filter are selected');
      await screenshots(page, 'admin-bulk-bar');

      await page.getByTestId('bulk-retry').click();
      const confirm = page.getByTestId('bulk-confirm');
      await confirm.waitFor();
      expect(await confirm.getAttribute('data-count')).toBe('50');
      expect(await page.getByTestId('bulk-confirm-message').textContent()).toBe('Retry 50 failed jobs?');
      // The confirm button has the focus: Enter runs it, Tab reaches Back. The dry runs changed nothing.
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('bulk-confirm-button');
      for (const id of failing) expect(await stateOf(id)).toBe('failed');
      await screenshots(page, 'admin-bulk-confirm');

      await page.keyboard.press('Enter');
      await page.getByTestId('bulk-done').waitFor();
      expect(await page.getByTestId('bulk-done').textContent()).toBe('Retried 50 jobs');
      await page.getByText('No jobs match.').waitFor();
      for (const id of failing) expect(['pending', 'running', 'completed']).toContain(await stateOf(id));
      await waitFor(async () => {
        for (const id of failing) if ((await stateOf(id)) !== 'completed') return false;
        return true;
      }, 'the worker to complete the 50 retried jobs', 60_000);

      await page.goto(`${server.url}/admin/activity`);
      const retries = page.locator('[data-testid="activity-row"][data-action="job.retry"]');
      expect(await retries.count()).toBe(1);
      expect(await retries.getByTestId('activity-jobs').getAttribute('data-count')).toBe('50');
      expect(await retries.getByTestId('activity-who').textContent()).toBe('admin');
      const [entry] = (await listActivity(await db.engine(), { limit: 5 })).entries;
      expect(entry).toMatchObject({ action: 'job.retry', jobCount: 50, details: { bulk: true, filter: { state: 'failed' } } });
      expect([...entry.jobIds].sort()).toEqual([...failing].sort());
    } finally {
      await page.close();
      expect(await stopProcess(worker)).toBe(0);
    }
  }, 180_000);

  it('two rows ticked by checkbox: Cancel asks "Cancel 2 selected jobs?" and cancels those two only', async () => {
    const ids = await DemoJob.laterMany([{ steps: 1 }, { steps: 2 }, { steps: 3 }], { queue: 'bulk-cancel', delay: '1h' });
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs?queue=bulk-cancel`);
      expect(await listed(page)).toEqual([...ids].reverse());
      for (const id of [ids[0], ids[2]]) await page.locator(`[data-job-id="${id}"]`).getByTestId('select-job').check();
      expect(await page.getByTestId('bulk-selected').textContent()).toBe('2 selected');
      await page.getByTestId('bulk-cancel').click();
      await page.getByTestId('bulk-confirm').waitFor();
      expect(await page.getByTestId('bulk-confirm-message').textContent()).toBe('Cancel 2 selected jobs?');
      // Back keeps the ticks; asking again asks the same.
      await page.getByTestId('bulk-back').click();
      expect(await page.getByTestId('bulk-selected').textContent()).toBe('2 selected');
      await page.getByTestId('bulk-cancel').click();
      await page.getByTestId('bulk-confirm-button').click();
      await page.getByTestId('bulk-done').waitFor();
      expect(await page.getByTestId('bulk-done').textContent()).toBe('Cancelled 2 jobs');
      expect([await stateOf(ids[0]), await stateOf(ids[1]), await stateOf(ids[2])]).toEqual(['cancelled', 'pending', 'cancelled']);
      await page.locator(`[data-job-id="${ids[0]}"][data-state="cancelled"]`).waitFor();
      // Spent: nothing is ticked any more. Ticking a pending and a cancelled one, Retry counts the cancelled one only.
      expect(await page.getByTestId('select-job').evaluateAll((boxes) => boxes.filter((b) => (b as HTMLInputElement).checked).length)).toBe(0);
      for (const id of [ids[0], ids[1]]) await page.locator(`[data-job-id="${id}"]`).getByTestId('select-job').check();
      await page.getByTestId('bulk-retry').click();
      expect(await page.getByTestId('bulk-confirm-message').textContent())
        .toBe('Retry 1 of the 2 selected jobs? Only failed or cancelled jobs are retried; the other 1 stays as it is.');
      await page.getByTestId('bulk-back').click();

      const cancels = (await listActivity(await db.engine(), { limit: 5 })).entries.filter((e) => e.action === 'job.cancel');
      expect(cancels).toHaveLength(1);
      expect(cancels[0]).toMatchObject({ actor: 'admin', jobCount: 2, details: { bulk: true } });
      expect([...cancels[0].jobIds].sort()).toEqual([ids[0], ids[2]].sort());
    } finally {
      await page.close();
    }
  });

  it('without JavaScript the same forms work: ticked rows and Delete answer with the question, and its confirm form deletes them', async () => {
    const cookie = await sessionCookie(browser);
    const listUrl = `${server.url}/admin/jobs?queue=bulk-cancel`;
    const formOf = (html: string, testId: string) => {
      const form = new RegExp(`<form[^>]*data-testid="${testId}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
      if (form === undefined) throw new Error(`no ${testId} form in:\n${html.slice(0, 300)}`);
      return form;
    };
    const post = async (body: FormData) => (await fetch(listUrl, { method: 'POST', body, headers: { cookie, origin: server.url } })).text();
    const cancelled = (await listActivity(await db.engine(), { limit: 5 })).entries.find((e) => e.action === 'job.cancel')!.jobIds;

    // As a browser posts the bar's form: its hidden fields, the ticked rows' ids, the button pressed.
    const bar = hiddenFields(formOf(await (await fetch(listUrl, { headers: { cookie } })).text(), 'bulk-form'));
    for (const id of cancelled) bar.append('id', id);
    bar.append('intent', 'delete');
    const asked = await post(bar);
    expect(asked).toContain('Delete 2 selected jobs?');
    for (const id of cancelled) expect(await stateOf(id)).toBe('cancelled');

    const answered = await post(hiddenFields(formOf(asked, 'bulk-confirm')));
    expect(answered).toContain('Deleted 2 jobs');
    for (const id of cancelled) expect(await stateOf(id)).toBe('gone');
  });

  it('the params field lists only the jobs whose params match, keeps the search in the URL across pages, and says what is wrong with a bad one', async () => {
    const matching = await seed(Array.from({ length: 51 }, (_, i) => ({ user: { id: 42 }, n: i })), 'params');
    const others = await seed([{ user: { id: 7 } }, { user: { id: 420 } }, { account: { id: 42 } }], 'params');
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs?queue=params`);
      expect(await page.getByTestId('params-hint').textContent()).toContain('newest 100,000 jobs only');
      await page.getByTestId('params-input').fill('user.id=42');
      await page.getByTestId('job-filters').getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(`${server.url}/admin/jobs?queue=params&param.user.id=42`);
      expect(await page.getByTestId('params-input').inputValue()).toBe('user.id=42');
      const first = await listed(page);
      expect(first).toEqual([...matching].reverse().slice(0, 50));
      // The next page keeps the params filter: the 51st match, and none of the others.
      await page.getByTestId('next-page').click();
      await page.waitForURL(/param\.user\.id=42&cursor=/);
      expect(await listed(page)).toEqual([matching[0]]);
      // A shared link gives the same list; all matching counts the params filter's matches.
      await page.goto(`${server.url}/admin/jobs?param.user.id=42&queue=params`);
      expect((await listed(page)).every((id) => matching.includes(id!) && !others.includes(id!))).toBe(true);
      await page.getByTestId('select-job').first().check();
      await page.getByTestId('bulk-select-matching').click();
      await page.locator('[data-testid="bulk-selected"][data-scope="filter"]').waitFor();
      expect(await page.getByTestId('bulk-selected').textContent()).toBe('All 51 jobs matching this filter are selected');
      await page.getByTestId('bulk-clear').click();

      // Text that is not path=value comes back as typed; a masked path is understood, so its link is kept, and refused.
      for (const [typed, query, message] of [
        ['user.id', 'params=user.id', 'Params filter "user.id" has no "=": type path=value, e.g. user.id=42'],
        ['=42', 'params=%3D42', 'Params filter "=42" has no path before "=": type path=value, e.g. user.id=42'],
        ['user.password=x', 'param.user.password=x', 'Param "user.password" is masked (JOBS_REDACT_KEYS) and cannot be searched'],
      ]) {
        await page.getByTestId('params-input').fill(typed);
        await page.getByTestId('params-input').press('Enter');
        await page.waitForURL((url) => url.search.endsWith(query));
        expect(await page.getByTestId('params-problem').textContent()).toBe(message);
        expect(await page.getByTestId('params-input').inputValue()).toBe(typed);
        expect(await page.getByTestId('params-input').getAttribute('aria-invalid')).toBe('true');
        // No list under a filter that is not understood, so no bulk action can reach past it.
        expect(await page.getByTestId('admin-job-row').count()).toBe(0);
        expect(await page.getByTestId('bulk-bar').count()).toBe(0);
      }
      await page.screenshot({ path: screenshotPath('admin-jobs-params-problem'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('read-only: no checkboxes and no bar, and a confirmed bulk delete posted anyway is refused', async () => {
    // The admin's bulk form on the completed tab (React's hidden action fields, scope and filter), to forge it confirmed.
    const adminHtml = await (await fetch(`${server.url}/admin/jobs?state=completed`, { headers: { cookie: await sessionCookie(browser) } })).text();
    const form = /<form[^>]*data-testid="bulk-form"[^>]*>([\s\S]*?)<\/form>/.exec(adminHtml)?.[1];
    expect(form).toBeDefined();
    const completed = (await listActivity(await db.engine(), { limit: 5 })).entries.find((e) => e.action === 'job.retry')!.jobIds;

    await signInToAdmin(browser, server, readonlyToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs?state=completed`);
      expect(await page.getByTestId('admin-job-row').count()).toBe(50);
      expect(await page.getByTestId('select-job').count()).toBe(0);
      expect(await page.getByTestId('select-page').count()).toBe(0);
      expect(await page.getByTestId('bulk-bar').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('admin-bulk-readonly'), fullPage: true });
    } finally {
      await page.close();
    }

    const body = hiddenFields(form!);
    expect(body.get('filter')).toBe('state=completed');
    body.set('scope', 'filter');
    body.append('intent', 'delete');
    body.append('confirm', 'yes');
    const logged = (await listActivity(await db.engine(), { limit: 50 })).entries.length;
    const response = await fetch(`${server.url}/admin/jobs?state=completed`, {
      method: 'POST', body, headers: { cookie: await sessionCookie(browser), origin: server.url },
    });
    expect(await response.text()).toContain('The read-only token may only read; this needs the admin token');
    for (const id of completed) expect(await stateOf(id)).toBe('completed');
    expect((await listActivity(await db.engine(), { limit: 50 })).entries).toHaveLength(logged);
  });
});
