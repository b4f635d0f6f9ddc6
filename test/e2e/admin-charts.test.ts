import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor, type Spawned } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { readStats } from '@/lib/jobs/stats';
import { getJob } from '@/store/queries';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-charts-admin-token-0123456789';
const readonlyToken = 'admin-charts-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
// One database: the test enqueues through the store, a worker process runs the jobs, the server reads the stats.
const db = useTempDatabase(tokens);

// A name with a character encodeURIComponent changes, so the queue page's URL is exercised encoded.
const billing = 'billing:eu';
const billingPath = '/admin/queues/billing%3Aeu';

const readerZone = 'Asia/Kolkata';
const readerClock = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: readerZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** Enqueues `completed` jobs that complete, `failed` that fail on their only attempt, `retried` that fail once and then complete. */
async function enqueue(queue: string, { completed = 0, failed = 0, retried = 0 }: { completed?: number; failed?: number; retried?: number }): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < completed; i++) ids.push(await DemoJob.later({ steps: 1, delayMs: 1 }, { queue }));
  for (let i = 0; i < failed; i++) ids.push(await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 9 }, { queue, maxAttempts: 1 }));
  for (let i = 0; i < retried; i++) ids.push(await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 1 }, { queue, maxAttempts: 2 }));
  return ids;
}

async function allEnded(ids: string[]): Promise<boolean> {
  const engine = await db.engine();
  for (const id of ids) if (!['completed', 'failed'].includes((await getJob(engine, id))?.state ?? '')) return false;
  return true;
}

/** The chart's plotted totals, read from its figure once uPlot has drawn (data-plotted), never from pixels. */
async function plotted(page: Page) {
  const chart = page.locator('[data-testid="throughput-chart"][data-plotted="true"]');
  await chart.waitFor();
  const read = async (name: string) => Number(await chart.getAttribute(`data-${name}`));
  return { completed: await read('total-completed'), failed: await read('total-failed'), retried: await read('total-retried'), points: await read('points') };
}

/** Waits until the chart plots `completed` (after a refresh's setData). */
async function waitForCompleted(page: Page, completed: number): Promise<void> {
  await page.locator(`[data-testid="throughput-chart"][data-total-completed="${completed}"]`).waitFor();
}

/** The chart's canvas as uPlot made it: its root, and the canvas's drawing width in device pixels. */
async function canvasWidth(page: Page): Promise<number> {
  return page.locator('[data-testid="throughput-chart"] .uplot canvas').evaluate((canvas) => (canvas as HTMLCanvasElement).width);
}

async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(`${name}-1280-light`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: screenshotPath(`${name}-1280-dark`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 390, height: 844 });
  // The chart follows its card's width (ResizeObserver), so the page never scrolls sideways on a phone.
  await waitFor(async () => (await page.locator('[data-testid="throughput-chart"] .uplot').evaluate((e) => e.getBoundingClientRect().width)) <= 390, 'the chart to shrink');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: screenshotPath(`${name}-390-light`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });
}

describe('the throughput charts of the admin overview and the queue page, against next start in Chromium', () => {
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

  it('the overview plots both queues\' jobs, the queue page only its own, and Refresh swaps in new totals without re-creating the chart', async () => {
    let worker: Spawned | undefined;
    try {
      worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
      await worker.waitForOutput('started');
      const first = [...await enqueue('mail', { completed: 3, failed: 2 }), ...await enqueue(billing, { completed: 1, failed: 1, retried: 1 })];
      await waitFor(() => allEnded(first), 'the first jobs to end');

      await signInToAdmin(browser, server, adminToken);
      const overview = await browser.context.newPage();
      // A hydration mismatch (say, a time rendered in the server's zone) or a failed draw shows here.
      const problems: string[] = [];
      overview.on('pageerror', (error) => problems.push(error.message));
      overview.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      // The reader is half an hour off the server's zone (UTC here): the chart's times are the reader's.
      const cdp = await browser.context.newCDPSession(overview);
      await cdp.send('Emulation.setTimezoneOverride', { timezoneId: readerZone });
      await overview.goto(`${server.url}/admin`);
      expect(await plotted(overview)).toEqual({ completed: 5, failed: 3, retried: 1, points: 24 * 60 + 1 });
      // What the chart plots is what the stats say, minute for minute summed.
      const all = await readStats(await db.engine(), { now: Date.now() });
      expect(all.totals).toMatchObject({ completed: 5, failed: 3, retried: 1 });
      expect(await canvasWidth(overview)).toBeGreaterThan(0);
      const peak = all.throughput.reduce((best, m) => (m.completed + m.failed > best.completed + best.failed ? m : best));
      expect(await overview.getByTestId('chart-summary').textContent())
        .toBe(`Jobs per minute, last 24 h, all queues: 5 completed, 3 failed, 1 retried; peak ${peak.completed + peak.failed}/min at ${readerClock(peak.minute)}`);
      expect(await overview.locator('[data-testid="throughput-chart"] [role="img"]').getAttribute('aria-label')).toBe(await overview.getByTestId('chart-summary').textContent());
      expect(await overview.getByTestId('legend-failed').textContent()).toBe('failed 3');

      // The cursor reads out the minute under it; the jobs just ended sit at the right edge.
      const over = (await overview.locator('[data-testid="throughput-chart"] .u-over').boundingBox())!;
      await overview.mouse.move(over.x + over.width - 2, over.y + over.height / 2);
      const lastMinute = all.window.to.slice(0, 16) + ':00.000Z';
      await waitFor(async () => /^\d\d:\d\d: \d+ completed · \d+ failed · \d+ retried$/.test((await overview.getByTestId('chart-readout').textContent()) ?? ''), 'the cursor readout');
      // A readout near the last minute, in the reader's zone: within a few minutes of it (a pixel is over a minute wide).
      const readoutAt = (await overview.getByTestId('chart-readout').textContent())!.slice(0, 5);
      expect([0, 1, 2, 3, 4].map((back) => readerClock(new Date(Date.parse(lastMinute) - back * 60_000).toISOString()))).toContain(readoutAt);
      await overview.locator('[data-testid="throughput-chart"]').screenshot({ path: screenshotPath('admin-charts-cursor') });
      await overview.mouse.move(0, 0);

      await overview.locator(`[data-testid="queue-row"][data-queue="${billing}"] [data-testid="queue-link"]`).click();
      await overview.waitForURL(`${server.url}${billingPath}`);
      expect(await overview.getByTestId('queue-name').textContent()).toBe(billing);
      expect(await plotted(overview)).toEqual({ completed: 2, failed: 1, retried: 1, points: 24 * 60 + 1 });
      expect(await canvasWidth(overview)).toBeGreaterThan(0);
      expect(await overview.getByTestId('chart-summary').textContent()).toContain(`queue ${billing}: 2 completed, 1 failed, 1 retried`);
      expect(problems).toEqual([]);
      const queuePage = overview;

      const overviewAgain = await browser.context.newPage();
      await overviewAgain.goto(`${server.url}/admin`);
      await plotted(overviewAgain);
      // Marks on uPlot's root: a chart made anew would not carry them.
      for (const page of [queuePage, overviewAgain]) await page.locator('[data-testid="throughput-chart"] .uplot').evaluate((e) => e.setAttribute('data-mark', 'first'));

      const second = [...await enqueue(billing, { completed: 2 }), ...await enqueue('mail', { failed: 1 })];
      await waitFor(() => allEnded(second), 'the second jobs to end');

      await queuePage.getByTestId('chart-refresh').click();
      await waitForCompleted(queuePage, 4);
      expect(await plotted(queuePage)).toEqual({ completed: 4, failed: 1, retried: 1, points: 24 * 60 + 1 });
      await overviewAgain.getByTestId('chart-refresh').click();
      await waitForCompleted(overviewAgain, 7);
      expect(await plotted(overviewAgain)).toMatchObject({ completed: 7, failed: 4, retried: 1 });
      for (const page of [queuePage, overviewAgain]) {
        expect(await page.locator('[data-testid="throughput-chart"] .uplot').count()).toBe(1);
        expect(await page.locator('[data-testid="throughput-chart"] .uplot').getAttribute('data-mark')).toBe('first');
        expect(await page.getByTestId('chart-error').count()).toBe(0);
      }

      await screenshots(overviewAgain, 'admin-charts-overview');
      await screenshots(queuePage, 'admin-charts-queue');
      await queuePage.close();
      await overviewAgain.close();
    } finally {
      if (worker) expect(await stopProcess(worker)).toBe(0);
    }
  });

  it('the queue page shows the queue\'s counts, pause and rate limit with the controls for the admin role, links to its jobs, and 404s a name no queue has', async () => {
    await signInToAdmin(browser, server, adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}${billingPath}`);
      expect(await page.getByTestId('count-completed').getAttribute('data-count')).toBe('4');
      expect(await page.getByTestId('count-failed').getAttribute('data-count')).toBe('1');
      expect(await page.getByTestId('queue-jobs-link').getAttribute('href')).toBe('/admin/jobs?queue=billing%3Aeu');

      await page.getByTestId('pause-button').click();
      await page.locator('[data-testid="queue-state"][data-paused="true"]').waitFor();
      expect(await page.getByTestId('action-ok').textContent()).toBe(`Paused ${billing}: 0 waiting jobs parked.`);
      await page.getByTestId('rate-input').fill('10/1m');
      await page.getByTestId('rate-button').click();
      await page.locator('[data-testid="queue-rate"]', { hasText: '10/1m' }).waitFor();
      await page.screenshot({ path: screenshotPath('admin-charts-queue-paused'), fullPage: true });
      await page.getByTestId('resume-button').click();
      await page.locator('[data-testid="queue-state"][data-paused="false"]').waitFor();

      await page.getByTestId('queue-jobs-link').click();
      await page.waitForURL(`${server.url}/admin/jobs?queue=billing%3Aeu`);

      for (const missing of ['/admin/queues/no-such-queue', '/admin/queues/bad%20name']) {
        const response = await page.goto(`${server.url}${missing}`);
        expect(response?.status()).toBe(404);
        expect(await page.textContent('body')).toContain('could not be found');
      }
    } finally {
      await page.close();
    }

    await signInToAdmin(browser, server, readonlyToken);
    const readonly = await browser.context.newPage();
    try {
      await readonly.goto(`${server.url}${billingPath}`);
      expect(await plotted(readonly)).toMatchObject({ completed: 4, failed: 1 });
      expect(await readonly.getByTestId('queue-controls').count()).toBe(0);
      await readonly.getByTestId('chart-refresh').click(); // the read-only session may read the stats too
      await readonly.locator('[data-testid="chart-refresh"]:not([disabled])').waitFor();
      expect(await readonly.getByTestId('chart-error').count()).toBe(0);
    } finally {
      await readonly.close();
    }
  });
});
