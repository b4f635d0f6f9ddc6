import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { openEngine } from '@/db/client';
import type { Engine } from '@/db/engine';
import { countByState, getJobDetail } from '@/store/queries';
import { launchChromium, type Browser } from './browser';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

// One database file shared by the test (through the store), the web server and the worker.
const dir = makeTempDir('fluent-jobs-e2e-');
const databaseUrl = `file:${path.join(dir, 'jobs.db')}`;
const adminToken = 'home-form-admin-token-0123456789';
const env = { DATABASE_URL: databaseUrl, JOBS_ADMIN_TOKEN: adminToken };

async function withEngine<T>(work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine(databaseUrl);
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

const totalJobs = () => withEngine(async (engine) => Object.values(await countByState(engine)).reduce((a, b) => a + b, 0));

describe('the home page in a browser, against next start and a worker process', () => {
  let server: NextServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    server = await startNextServer(env);
    browser = await launchChromium();
    // The job list is behind the login (the form is not): sign this browser in once.
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-token').fill(adminToken);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/`);
    await page.close();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enqueues a demo job from the form, and the live table shows it completed by the worker', async () => {
    // The worker lives inside the test: the helpers fail any test that leaves a tracked process running.
    const worker = spawnWorker(env);
    const page = await browser!.context.newPage();
    try {
      await worker.waitForOutput('started');
      await page.goto(server!.url);
      await page.getByTestId('field-steps').fill('3');
      await page.getByTestId('field-delayMs').fill('50');
      await page.getByTestId('enqueue-submit').click();
      const id = (await page.getByTestId('enqueued-id').textContent())?.trim() ?? '';
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);

      // No reload: the page refreshes itself every second.
      const shownState = () => page.evaluate((jobId) => document.querySelector(`[data-job-id="${jobId}"]`)?.getAttribute('data-state'), id);
      await waitFor(async () => (await shownState()) === 'completed', `the page to show job ${id} completed`);

      // <JobProgress> beside the form followed the same job to its end, without a reload.
      const progress = page.locator('[data-testid="job-progress"]');
      await waitFor(async () => (await progress.getAttribute('data-state')) === 'completed', '<JobProgress> to show the job completed');
      expect(await progress.getAttribute('data-percent')).toBe('100');
      expect(JSON.parse((await page.getByTestId('job-progress-result').textContent()) ?? 'null')).toEqual({ steps: 3, attempt: 1, message: null });

      const job = await withEngine((engine) => getJobDetail(engine, id));
      expect(job).toMatchObject({ name: 'demo', state: 'completed', progress: 100, attempts: 1 });
      expect(JSON.parse(job.params)).toMatchObject({ steps: 3, delayMs: 50 });
      expect(JSON.parse(job.result!)).toEqual({ steps: 3, attempt: 1, message: null });
      expect(job.progressHistory).toHaveLength(3);
    } finally {
      await page.close();
      expect(await stopProcess(worker)).toBe(0);
    }
  });

  it('answers a bad number with a validation message and writes no job', async () => {
    const before = await totalJobs();
    const page = await browser!.context.newPage();
    try {
      await page.goto(server!.url);
      await page.getByTestId('field-steps').fill('-1');
      await page.getByTestId('enqueue-submit').click();
      expect(await page.getByTestId('form-error').textContent()).toContain('Steps must be a whole number from 0 to 1000');
      expect(await page.getByTestId('field-steps').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('field-steps').inputValue()).toBe('-1');
      expect(await page.getByTestId('enqueued').count()).toBe(0);
      // The message came back from the server action, so any write it made is already committed.
      expect(await totalJobs()).toBe(before);
    } finally {
      await page.close();
    }
  });
});
