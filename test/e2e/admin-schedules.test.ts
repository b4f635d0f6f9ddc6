import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { nextFireAfter } from '@/core/cron';
import { registry } from '@/jobs';
import { addScheduleAs } from '@/lib/jobs/schedule-actions';
import { appendActivity, listActivity } from '@/store/activity';
import { getSchedule, listSchedules } from '@/store/cron';
import { getJob } from '@/store/queries';
import { shortJobId } from '@/core/ids';
import type { Page } from 'playwright-core';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-schedules-admin-token-0123456789';
const readonlyToken = 'admin-schedules-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
const db = useTempDatabase(tokens);

const name = 'e2e-nightly';
const cron = '30 2 * * *';
const timezone = 'Europe/Paris';

describe('the schedules and activity admin pages in Chromium, against next start', () => {
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

  /** A post made by hand with this page's session: the headers and body an admin's page sent, replayed as they are. */
  async function replay(page: Page, request: { headers: Record<string, string>; body: string }): Promise<{ status: number; text: string }> {
    return page.evaluate(async ({ headers, body }) => {
      const response = await fetch('/admin/schedules', { method: 'POST', headers, body });
      return { status: response.status, text: await response.text() };
    }, request);
  }

  /** Clicks a button of a schedule's row and keeps the server action post it sent. */
  async function capturePost(page: Page, schedule: string, button: string): Promise<{ headers: Record<string, string>; body: string }> {
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.headers()['next-action'] !== undefined),
      page.locator(`[data-testid="schedule-row"][data-name="${schedule}"]`).getByTestId(button).click(),
    ]);
    const all = request.headers();
    return { headers: { 'next-action': all['next-action'], 'content-type': all['content-type'], accept: all.accept ?? 'text/x-component' }, body: request.postData() ?? '' };
  }

  it('an admin adds a schedule from the page and sees its next 5 fires in its timezone and in UTC', async () => {
    await signIn(adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/schedules`);
      expect(await page.locator('nav[aria-label="Admin sections"] a[aria-current="page"]').textContent()).toBe('Schedules');
      await page.getByTestId('add-name').fill(name);
      await page.getByTestId('add-job').fill('demo');
      await page.getByTestId('add-cron').fill(cron);
      await page.getByTestId('add-timezone').fill(timezone);
      await page.getByTestId('add-params').fill('{"steps": 1}');
      await page.getByTestId('add-submit').click();
      await page.getByTestId('add-ok').waitFor();
      const row = page.locator(`[data-testid="schedule-row"][data-name="${name}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-enabled')).toBe('true');
      expect(await row.getAttribute('data-source')).toBe('operator');
      const fires = row.getByTestId('next-fire');
      expect(await fires.count()).toBe(5);
      const at = await Promise.all((await fires.all()).map((f) => f.getAttribute('data-at')));
      for (let i = 1; i < 5; i += 1) expect(new Date(nextFireAfter(cron, timezone, Date.parse(at[i - 1]!))!).toISOString()).toBe(at[i]);
      const first = await fires.first().textContent();
      // 02:30 in Paris, then the same moment in UTC (its date only when it differs).
      expect(first).toMatch(/^\d{4}-\d\d-\d\d 02:30 · /);
      expect(first).toContain(`${at[0]!.slice(11, 16)} UTC`);
      expect(await row.getByTestId('schedule-runs').textContent()).toBe('0 / 0 / 0 / 0');
      const stored = await getSchedule(await db.engine(), name);
      expect(stored).toMatchObject({ jobName: 'demo', cron, timezone, source: 'operator', enabled: 1 });
      expect(JSON.parse(stored.params)).toEqual({ steps: 1 });
      await page.screenshot({ path: screenshotPath('admin-schedules-added'), fullPage: true });
      // On a phone the table scrolls inside its card and the form stacks: the page itself does not overflow.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('admin-schedules-phone'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('a bad cron or timezone shows its message, keeps what was typed, and adds nothing', async () => {
    const before = (await listSchedules(await db.engine())).length;
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/schedules`);
      await page.getByTestId('add-name').fill('e2e-bad');
      await page.getByTestId('add-job').fill('demo');
      await page.getByTestId('add-cron').fill('61 * * * *');
      await page.getByTestId('add-submit').click();
      const error = page.getByTestId('add-error');
      await error.waitFor();
      expect(await error.textContent()).toContain('Invalid cron expression "61 * * * *"');
      expect(await page.getByTestId('add-cron').inputValue()).toBe('61 * * * *');
      await page.screenshot({ path: screenshotPath('admin-schedules-bad-cron'), fullPage: true });

      await page.getByTestId('add-cron').fill('0 * * * *');
      await page.getByTestId('add-timezone').fill('Mars/Olympus');
      await page.getByTestId('add-submit').click();
      await page.locator('[data-testid="add-error"]', { hasText: 'Unknown timezone "Mars/Olympus"' }).waitFor();

      expect((await listSchedules(await db.engine())).length).toBe(before);
      expect(await page.locator('[data-testid="schedule-row"][data-name="e2e-bad"]').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('Disable and Enable turn the schedule off and on', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/schedules`);
      const row = page.locator(`[data-testid="schedule-row"][data-name="${name}"]`);
      await row.getByTestId('disable-button').click();
      await page.locator(`[data-testid="schedule-row"][data-name="${name}"][data-enabled="false"]`).waitFor();
      expect((await getSchedule(await db.engine(), name)).enabled).toBe(0);
      expect(await row.getByTestId('schedule-enabled').textContent()).toBe('disabled');
      await page.screenshot({ path: screenshotPath('admin-schedules-disabled'), fullPage: true });
      await row.getByTestId('enable-button').click();
      await page.locator(`[data-testid="schedule-row"][data-name="${name}"][data-enabled="true"]`).waitFor();
      expect((await getSchedule(await db.engine(), name)).enabled).toBe(1);
    } finally {
      await page.close();
    }
  });

  it('Run now enqueues its job and links to it; the row\'s last run then shows that job pending, and completed once a worker ran it', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/schedules`);
      const row = page.locator(`[data-testid="schedule-row"][data-name="${name}"]`);
      expect(await row.getByTestId('last-run').getAttribute('data-state')).toBe('never');
      expect(await row.getByTestId('last-run').textContent()).toBe('never');
      await row.getByTestId('run-button').click();
      const link = row.getByTestId('run-job-link');
      await link.waitFor();
      const jobId = (await link.getAttribute('title'))!;
      const job = await getJob(await db.engine(), jobId);
      expect(job).toMatchObject({ name: 'demo', scheduleName: name, state: 'pending' });
      expect(JSON.parse(job!.params)).toEqual({ steps: 1 });
      await page.locator(`[data-testid="schedule-row"][data-name="${name}"] [data-testid="schedule-runs"]`, { hasText: /^1 \// }).waitFor();
      const lastRun = row.getByTestId('last-run');
      await page.locator(`[data-testid="schedule-row"][data-name="${name}"] [data-testid="last-run"][data-job-id="${jobId}"]`).waitFor();
      expect(await lastRun.getAttribute('data-state')).toBe('pending');
      expect(await lastRun.getByTestId('state-label').textContent()).toBe('pending');
      expect(await lastRun.getByTestId('job-link').textContent()).toBe(shortJobId(jobId));
      expect(await lastRun.locator('time').getAttribute('title')).toBe(new Date(job!.createdAt).toISOString());
      await page.screenshot({ path: screenshotPath('admin-schedules-run'), fullPage: true });

      const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
      try {
        await worker.waitForOutput('started');
        await waitFor(async () => (await getJob(await db.engine(), jobId))?.state === 'completed', `job ${jobId} to run`);
      } finally {
        expect(await stopProcess(worker)).toBe(0);
      }
      await page.reload();
      expect(await lastRun.getAttribute('data-state')).toBe('completed');
      expect(await lastRun.getByTestId('state-label').textContent()).toBe('completed');
      await page.screenshot({ path: screenshotPath('admin-schedules-last-run'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath('admin-schedules-last-run-dark'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: screenshotPath('admin-schedules-last-run-phone-dark'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1280, height: 720 });
      await lastRun.getByTestId('job-link').click();
      await page.waitForURL(`${server.url}/admin/jobs/${jobId}`);
      expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('completed');
    } finally {
      await page.close();
    }
  });

  it('read-only sees the schedules but no controls, and a forged post is refused (the same post as admin works)', async () => {
    const engine = await db.engine();
    await addScheduleAs(engine, registry, { name: 'e2e-cli', job: 'demo', cron: '0 * * * *' }, 'cli');
    // The post an admin's Disable sends, kept; Enable puts the schedule back.
    const adminPage = await browser.context.newPage();
    let disable: { headers: Record<string, string>; body: string };
    try {
      await adminPage.goto(`${server.url}/admin/schedules`);
      disable = await capturePost(adminPage, 'e2e-cli', 'disable-button');
      await adminPage.locator('[data-testid="schedule-row"][data-name="e2e-cli"][data-enabled="false"]').waitFor();
      await adminPage.locator('[data-testid="schedule-row"][data-name="e2e-cli"]').getByTestId('enable-button').click();
      await adminPage.locator('[data-testid="schedule-row"][data-name="e2e-cli"][data-enabled="true"]').waitFor();
    } finally {
      await adminPage.close();
    }

    await signIn(readonlyToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/schedules`);
      await page.locator(`[data-testid="schedule-row"][data-name="${name}"]`).waitFor();
      expect(await page.getByTestId('schedule-controls').count()).toBe(0);
      expect(await page.getByTestId('add-schedule-form').count()).toBe(0);
      expect(await page.getByTestId('schedule-enabled').count()).toBe(2);
      await page.screenshot({ path: screenshotPath('admin-schedules-readonly'), fullPage: true });
      const refused = await replay(page, disable);
      expect(refused.text).toContain('The read-only token may only read');
      expect((await getSchedule(engine, 'e2e-cli')).enabled).toBe(1);
    } finally {
      await page.close();
    }
    await signIn(adminToken);
  });

  it('Remove removes an operator\'s schedule; the jobs it enqueued stay', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/schedules`);
      await page.locator(`[data-testid="schedule-row"][data-name="${name}"]`).getByTestId('remove-button').click();
      await page.locator(`[data-testid="schedule-row"][data-name="${name}"]`).waitFor({ state: 'detached' });
      await expect(getSchedule(await db.engine(), name)).rejects.toThrow(`No schedule named "${name}"`);
    } finally {
      await page.close();
    }
  });

  it('the Activity page lists these actions newest first with who=admin, and pages with its cursor', async () => {
    const engine = await db.engine();
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/activity`);
      expect(await page.locator('nav[aria-label="Admin sections"] a[aria-current="page"]').textContent()).toBe('Activity');
      const rows = page.getByTestId('activity-row');
      await rows.first().waitFor();
      const mine = page.locator(`[data-testid="activity-row"][data-who="admin"]`, { has: page.locator('[data-testid="activity-target"]', { hasText: new RegExp(`^${name}$`) }) });
      const actions = await Promise.all((await mine.all()).map((r) => r.getAttribute('data-action')));
      expect(actions).toEqual(['schedule.remove', 'schedule.run', 'schedule.enable', 'schedule.disable', 'schedule.add']);
      const run = page.locator('[data-testid="activity-row"][data-action="schedule.run"]');
      expect(await run.getByTestId('activity-jobs').getAttribute('data-count')).toBe('1');
      await run.getByTestId('job-link').waitFor();
      expect(await mine.last().locator('time').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
      await page.screenshot({ path: screenshotPath('admin-activity'), fullPage: true });

      // More than a page: the next page starts below the cursor, and the first page's entries are not on it.
      const now = Date.now();
      for (let i = 0; i < 60; i += 1) await appendActivity(engine, { actor: 'cli', action: 'note', details: { message: `note ${i}` } }, now);
      const { entries: newest } = await listActivity(engine, { limit: 50 });
      await page.goto(`${server.url}/admin/activity`);
      await rows.first().waitFor();
      const ids1 = (await Promise.all((await rows.all()).map((r) => r.getAttribute('data-id')))).map(Number);
      expect(ids1).toEqual(newest.map((e) => e.id));
      const next = page.getByTestId('activity-next');
      expect(await next.getAttribute('href')).toBe(`/admin/activity?before=${ids1[ids1.length - 1]}`);
      await next.click();
      await page.waitForURL(`${server.url}/admin/activity?before=${ids1[ids1.length - 1]}`);
      await page.getByTestId('activity-newest').waitFor();
      const ids2 = (await Promise.all((await page.getByTestId('activity-row').all()).map((r) => r.getAttribute('data-id')))).map(Number);
      expect(ids2.length).toBeGreaterThan(0);
      expect(Math.max(...ids2)).toBeLessThan(Math.min(...ids1));
      expect(ids2).toEqual([...ids2].sort((a, b) => b - a));
      expect(await page.locator('[data-testid="activity-row"][data-action="schedule.add"][data-who="admin"]').count()).toBe(1);
      await page.screenshot({ path: screenshotPath('admin-activity-page2'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
