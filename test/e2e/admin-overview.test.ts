import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { listActivity } from '@/store/activity';
import { getJob } from '@/store/queries';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-overview-admin-token-0123456789';
const readonlyToken = 'admin-overview-readonly-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken };
const db = useTempDatabase(tokens);

describe('the admin overview: run times per job name, and Clean up, in Chromium against next start', () => {
  let server: NextServer;
  let browser: Browser;
  const ids: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    ids.push(
      await DemoJob.later({ steps: 1, delayMs: 30 }),
      await DemoJob.later({ steps: 1, delayMs: 30 }),
      await DemoJob.later({ steps: 0, failTimes: 1 }, { maxAttempts: 1 }),
    );
    const worker = spawnWorker({ DATABASE_URL: db.url, ...tokens });
    try {
      await waitFor(async () => {
        const states = await Promise.all(ids.map(async (id) => (await getJob(await db.engine(), id))?.state));
        return states.join() === 'completed,completed,failed';
      }, 'the worker to finish the three jobs');
    } finally {
      expect(await stopProcess(worker)).toBe(0);
    }
    server = await startNextServer({ DATABASE_URL: db.url, ...tokens });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists each job name\'s ends, failure rate and run times, as bin/jobs stats does', async () => {
    await signInToAdmin(browser, server, adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin`);
      const row = page.locator('[data-testid="name-stats-row"][data-name="demo"]');
      expect(await row.getAttribute('data-completed')).toBe('2');
      expect(await row.getAttribute('data-failed')).toBe('1');
      const cells = await row.locator('td').allTextContents();
      expect(cells.slice(0, 6)).toEqual(['demo', '2', '1', '0', '0', '33%']);
      expect(cells[6], 'a p50 run time').toMatch(/^\d+(ms|s)$/);
      await page.screenshot({ path: screenshotPath('admin-overview-names'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('Clean up refuses a bad age and deletes nothing, then deletes the finished jobs past the ages typed and logs it once', async () => {
    await signInToAdmin(browser, server, adminToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin`);
      await page.getByTestId('cleanup-completed').fill('soon');
      await page.getByTestId('cleanup-button').click();
      expect(await page.getByTestId('cleanup-form').getByTestId('action-error').textContent()).toContain('soon');
      expect(await getJob(await db.engine(), ids[0])).not.toBeNull();

      await page.getByTestId('cleanup-completed').fill('0s');
      await page.getByTestId('cleanup-failed').fill('0s');
      await page.getByTestId('cleanup-button').click();
      expect(await page.getByTestId('cleanup-form').getByTestId('action-ok').textContent()).toMatch(/^Deleted 2 completed and 1 failed or cancelled jobs/);
      for (const id of ids) expect(await getJob(await db.engine(), id)).toBeNull();
      const { entries } = await listActivity(await db.engine(), { limit: 10 });
      const cleanups = entries.filter((e) => e.action === 'cleanup');
      expect(cleanups).toHaveLength(1);
      expect(cleanups[0]).toMatchObject({ actor: 'admin', jobCount: 3 });
    } finally {
      await page.close();
    }
  });

  it('read-only sees the run times but no Clean up', async () => {
    await signInToAdmin(browser, server, readonlyToken);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/admin`);
      await page.getByTestId('name-stats').waitFor();
      expect(await page.getByTestId('cleanup-form').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
