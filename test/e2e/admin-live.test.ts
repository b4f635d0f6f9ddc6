import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor, type Spawned } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { issueLoginCode } from '@/server/login-code';
import { getJob } from '@/store/queries';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

// The generated token (no JOBS_ADMIN_TOKEN): the person signs in with the one-time link npm start prints.
delete process.env.JOBS_ADMIN_TOKEN;
const db = useTempDatabase();

/**
 * A mark on the page's window: it survives in-place updates and router
 * refreshes, and is gone after a reload, so a test can tell "updated live"
 * from "the page was loaded again".
 */
const markPage = (page: Page) => page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 42));
const stillMarked = (page: Page) => page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark === 42);

/** Hides or shows the page the way a browser does when its tab goes to the background: visibilityState and the event. */
const setVisibility = (page: Page, state: 'hidden' | 'visible') =>
  page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);

describe('the admin page follows changes live, from /api/events', () => {
  let server: NextServer;
  let browser: Browser;
  let worker: Spawned | undefined;

  /** Signs the browser in as a person does after npm start: by opening the one-time link it printed. */
  const signInWithLink = async (page: Page) => {
    await browser.context.clearCookies();
    await page.goto(`${server.url}/login?code=${issueLoginCode(db.dir, Date.now())}`);
    await page.waitForURL(`${server.url}/`);
  };

  beforeAll(async () => {
    await ensureBuilt();
    server = await startNextServer({ DATABASE_URL: db.url });
    browser = await launchChromium();
    const page = await browser.context.newPage();
    await signInWithLink(page).finally(() => page.close());
  }, 300_000);

  // A worker per test: every test's processes are checked gone at its end.
  beforeEach(async () => {
    worker = spawnWorker({ DATABASE_URL: db.url });
    await worker.waitForOutput('started');
  });

  afterEach(async () => {
    if (worker) expect(await stopProcess(worker)).toBe(0);
    worker = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signed in with the one-time link, a demo job\'s bar on its page climbs to 100% and it shows completed, without a reload', async () => {
    const page = await browser.context.newPage();
    try {
      await signInWithLink(page);
      const id = await DemoJob.later({ steps: 8, delayMs: 400 }, { delay: '2s' });
      await page.goto(`${server.url}/admin/jobs/${id}`);
      await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
      await markPage(page);
      const bar = page.getByTestId('live-progress');
      const seen = new Set<number>();
      await waitFor(async () => {
        if (await bar.count()) seen.add(Number(await bar.getAttribute('data-percent')));
        return (await page.getByTestId('job-state').getAttribute('data-state')) === 'completed';
      }, `job ${id} to show completed`, 30_000, 25);
      expect(await bar.getAttribute('data-percent')).toBe('100');
      expect([...seen].some((p) => p > 0 && p < 100), `the bar moved through values between 0 and 100 (saw ${[...seen].join(', ')})`).toBe(true);
      expect(await stillMarked(page), 'the page updated in place, it was not loaded again').toBe(true);
      await page.screenshot({ path: screenshotPath('admin-live-job-completed'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('a job that fails, retried with its Retry button, shows pending and then completed live', async () => {
    const id = await DemoJob.later({ steps: 2, delayMs: 50, failTimes: 1 }, { maxAttempts: 1 });
    await waitFor(async () => (await getJob(await db.engine(), id))?.state === 'failed', `job ${id} to fail`);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs/${id}`);
      expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('failed');
      await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
      await markPage(page);
      await page.getByTestId('retry-button').click();
      await page.locator('[data-testid="job-state"][data-state="completed"]').waitFor({ timeout: 30_000 });
      expect(await stillMarked(page)).toBe(true);
      expect(await page.getByTestId('job-result').textContent()).toContain('"attempt": 2');
    } finally {
      await page.close();
    }
  });

  it('the overview\'s counts and its chart follow jobs as a worker finishes them, without a reload', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin`);
      await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
      const completed = async () => Number(await page.getByTestId('count-completed').getAttribute('data-count'));
      const charted = async () => Number(await page.getByTestId('throughput-chart').getAttribute('data-total-completed'));
      const [countBefore, chartBefore] = [await completed(), await charted()];
      await markPage(page);
      const ids = await Promise.all([1, 2, 3].map(() => DemoJob.later({ steps: 0 })));
      await waitFor(async () => (await completed()) === countBefore + 3 && (await charted()) === chartBefore + 3, `the overview to count ${ids.length} more completed jobs`);
      expect(await stillMarked(page)).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('on the jobs list, a running job\'s row moves its bar and turns completed, and the tab counts follow, without a reload', async () => {
    const id = await DemoJob.later({ steps: 6, delayMs: 300 }, { queue: 'live-list' });
    await waitFor(async () => (await getJob(await db.engine(), id))?.state === 'running', `job ${id} to start`);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs?queue=live-list`);
      await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
      await markPage(page);
      const row = page.locator(`[data-testid="admin-job-row"][data-job-id="${id}"]`);
      expect(await row.getAttribute('data-state')).toBe('running');
      await row.locator('[data-testid="live-state"][data-label="completed"]').waitFor({ timeout: 30_000 });
      expect(await row.getAttribute('data-state')).toBe('completed');
      expect(await row.getByTestId('live-progress').getAttribute('data-percent')).toBe('100');
      await page.locator('[data-testid="tab-completed"]', { hasText: /completed\s*1$/ }).waitFor();
      expect(await stillMarked(page)).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('while the tab is hidden the stream is closed; shown again, it resumes after the last change it saw and misses nothing', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin/jobs?queue=live-hidden`);
      await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
      await DemoJob.later({ steps: 0 }, { queue: 'live-hidden' });
      await page.locator('[data-testid="new-jobs"]', { hasText: '1 new job' }).waitFor();

      await setVisibility(page, 'hidden');
      await page.locator('[data-testid="live-status"][data-status="paused"]').waitFor();
      const whileHidden = await DemoJob.later({ steps: 0 }, { queue: 'live-hidden' });
      await DemoJob.later({ steps: 0 }, { queue: 'another-queue' });
      await waitFor(async () => (await getJob(await db.engine(), whileHidden))?.state === 'completed', 'the job enqueued while hidden to complete');
      expect(await page.getByTestId('new-jobs').textContent()).toContain('1 new job');

      await setVisibility(page, 'visible');
      await page.locator('[data-testid="new-jobs"]', { hasText: '2 new jobs' }).waitFor();
      await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
      await page.getByTestId('new-jobs').getByRole('button', { name: 'Show' }).click();
      await page.locator(`[data-testid="admin-job-row"][data-job-id="${whileHidden}"]`).waitFor();
      expect(await page.getByTestId('new-jobs').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
