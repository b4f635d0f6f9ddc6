import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTempDatabase } from '../helpers/db';
import { runJobsCli, spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { shortJobId } from '@/core/ids';
import { DemoJob } from '@/jobs';
import { getJob } from '@/store/queries';
import { launchChromium, screenshotPath, type Browser } from './browser';
import { signInToAdmin } from './admin-login';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const adminToken = 'admin-why-admin-token-0123456789';
const tokens = { JOBS_ADMIN_TOKEN: adminToken };
// A short lease, the same for the server (who counts as live) and every worker, so a stopped worker shows within seconds.
const leaseMs = 6_000;
const env = { ...tokens, JOBS_LEASE_MS: String(leaseMs), JOBS_SHUTDOWN_GRACE_MS: '200' };
// One database: the CLI and the test's store calls write it, the workers run its jobs, the server reads it.
const db = useTempDatabase(env);

/** What the page's "Why isn't this job running?" says: the cause's kind, its words and its links. */
interface Why {
  cause: string | null;
  text: string;
  links: { text: string; href: string }[];
}

async function readWhy(page: Page): Promise<Why> {
  const why = page.getByTestId('why-waiting');
  return {
    cause: await why.getAttribute('data-cause'),
    text: ((await why.textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    links: await why.locator('a').evaluateAll((as) => as.map((a) => ({ text: a.textContent ?? '', href: a.getAttribute('href') ?? '' }))),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('"Why isn\'t this job running?" on the job page, each cause made true by real processes, in Chromium against next start', () => {
  let server: NextServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureBuilt();
    server = await startNextServer({ DATABASE_URL: db.url, ...env });
    browser = await launchChromium();
    await signInToAdmin(browser, server, adminToken);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const cli = async (...args: string[]) => {
    const run = await runJobsCli(args, { DATABASE_URL: db.url, ...env });
    expect(run.code, `bin/jobs ${args.join(' ')}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const workerOn = (queues: string) => spawnWorker({ DATABASE_URL: db.url, ...env, JOBS_QUEUES: queues });
  const jobOf = async (id: string) => (await getJob(await db.engine(), id))!;

  /** Opens the job's page and reloads it until its cause is `kind` (a cause that comes true a moment later, as a worker acts). */
  async function whyOnPage(page: Page, id: string, kind: string): Promise<Why> {
    await page.goto(`${server.url}/admin/jobs/${id}`);
    return waitFor(async () => {
      const why = await readWhy(page);
      if (why.cause === kind) return why;
      await page.reload();
      return null;
    }, `the page of job ${id} to say ${kind}`);
  }

  async function screenshots(page: Page, name: string) {
    await page.screenshot({ path: screenshotPath(`admin-why-${name}`), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: screenshotPath(`admin-why-${name}-dark`), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: screenshotPath(`admin-why-${name}-phone`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });
  }

  it('a job delayed with bin/jobs enqueue --delay runs at its time; one in a queue paused by bin/jobs queues pause says so; one whose queue no live worker takes names the live workers and their queues', async () => {
    const worker = workerOn('elsewhere,other');
    const page = await browser.context.newPage();
    try {
      const delayed = JSON.parse(await cli('enqueue', 'demo', '--queue', 'later', '--delay', '1h', '--json')) as { id: string };
      await cli('queues', 'pause', 'parked');
      const parked = JSON.parse(await cli('enqueue', 'demo', '--queue', 'parked', '--json')) as { id: string };
      await worker.waitForOutput('started');
      const nobody = await DemoJob.later({ steps: 1 }, { queue: 'nobody' });

      const runsLater = await whyOnPage(page, delayed.id, 'runs_later');
      expect(runsLater.text).toMatch(/^It is scheduled for later: it runs in (59m \d+s|1h 0m), in queue later\.$/);
      expect(await page.getByTestId('why-waiting').locator('time').getAttribute('title')).toBe(iso((await jobOf(delayed.id)).runAt));
      expect(runsLater.links).toEqual([{ text: 'later', href: '/admin/jobs?queue=later&state=pending' }]);

      const paused = await whyOnPage(page, parked.id, 'queue_paused');
      expect(paused.text).toMatch(/^Its queue parked is paused \(since \d+(?:ms|s|m)(?: \d+s)? ago\)\./); // "649ms ago" on a fast machine
      expect(paused.links).toEqual([{ text: 'parked', href: '/admin/queues' }]);

      const noWorker = await whyOnPage(page, nobody, 'no_worker');
      const workerId = (await listWorkersOverApi(server)).find((w) => w.status === 'alive' && w.queues.join(',') === 'elsewhere,other')?.id;
      expect(workerId).toBeDefined();
      expect(noWorker.text).toContain('No live worker takes queue nobody and can run demo. The 1 live worker:');
      expect(noWorker.text).toContain(`${workerId} takes queues elsewhere, other`);
      expect(noWorker.links).toEqual([{ text: 'Workers', href: '/admin/workers' }]);
      await screenshots(page, 'no-worker');
    } finally {
      await page.close();
      expect(await stopProcess(worker)).toBe(0);
    }
  });

  it('a job that failed once waits out its long retry backoff; a keyed job waits behind the running holder of its key\'s only slot; a job of a queue limited by bin/jobs queues limit --rate 1/1m waits for its window', async () => {
    const worker = workerOn('busy,rated');
    const page = await browser.context.newPage();
    try {
      await worker.waitForOutput('started');
      await cli('queues', 'limit', 'rated', '--rate', '1/1m');
      const flaky = await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 1 }, { queue: 'busy', backoff: { type: 'fixed', delay: 3_600_000 } });
      const holder = await DemoJob.later({ steps: 600, delayMs: 100 }, { queue: 'busy', concurrencyKey: 'tenant-7' });
      const [firstRated, secondRated] = await DemoJob.laterMany([{ steps: 1, delayMs: 1 }, { steps: 1, delayMs: 1 }], { queue: 'rated' });
      await waitFor(async () => (await jobOf(holder)).state === 'running', `job ${holder} to run`);
      const [waiter, behind] = [
        await DemoJob.later({ steps: 1 }, { queue: 'busy', concurrencyKey: 'tenant-7' }),
        await DemoJob.later({ steps: 1 }, { queue: 'busy', concurrencyKey: 'tenant-7' }),
      ];

      await waitFor(async () => { const j = await jobOf(flaky); return j.state === 'pending' && j.attempts === 1; }, `job ${flaky} to fail once`);
      const retry = await whyOnPage(page, flaky, 'retry_backoff');
      expect(retry.text).toMatch(/^Retry backoff after a failure: attempt 1 failed with "Demo failure 1 of 1 \(failTimes\)"; attempt 2 of 3 runs in (59m \d+s|1h 0m)\.$/);
      expect(await page.getByTestId('why-waiting').locator('time').getAttribute('title')).toBe(iso((await jobOf(flaky)).runAt));
      expect(retry.links).toEqual([{ text: 'attempt 1 failed', href: '#attempt-1' }]);
      await page.getByTestId('why-waiting').getByRole('link', { name: 'attempt 1 failed' }).click();
      await page.waitForURL(`${server.url}/admin/jobs/${flaky}#attempt-1`);
      expect(await page.locator('#attempt-1').getAttribute('data-outcome')).toBe('failed');
      await screenshots(page, 'retry-backoff');

      const full = await whyOnPage(page, behind, 'concurrency_full');
      expect(full.text).toBe(`Its concurrency key tenant-7 is full: 1 of 1 slots taken, by job ${shortJobId(holder)} (running); 1 job ahead of it.`);
      expect(full.links).toEqual([{ text: shortJobId(holder), href: `/admin/jobs/${holder}` }]);
      expect((await whyOnPage(page, waiter, 'concurrency_full')).text).toContain('0 jobs ahead of it');
      await page.goto(`${server.url}/admin/jobs/${behind}`);
      await screenshots(page, 'concurrency-full');

      await waitFor(async () => (await jobOf(firstRated)).state === 'completed', `job ${firstRated} to run`);
      const started = (await jobOf(firstRated)).startedAt!;
      const rate = await whyOnPage(page, secondRated, 'rate_limited');
      expect(rate.text).toMatch(/^Its queue rated reached its rate limit \(1\/1m\): the next start is allowed in (?:\d+s|\d+ms|1m 0s), 0 jobs ahead of it\.$/);
      expect(await page.getByTestId('why-waiting').locator('time').getAttribute('title')).toBe(iso(started + 60_000));
      expect(rate.links).toEqual([{ text: 'rated', href: '/admin/queues' }]);
      expect((await jobOf(secondRated)).state).toBe('pending');
    } finally {
      await page.close();
      expect(await stopProcess(worker)).toBe(0);
    }
  });

  it('a worker stopped with SIGSTOP while it runs a job: the job\'s page says its worker stopped heartbeating and when the lease expires, before another worker takes it back', async () => {
    const stalled = workerOn('stall');
    const reaper = workerOn('other'); // a live worker elsewhere, whose reaper takes the job back once the lease ran out
    const page = await browser.context.newPage();
    try {
      await Promise.all([stalled.waitForOutput('started'), reaper.waitForOutput('started')]);
      const id = await DemoJob.later({ steps: 600, delayMs: 100 }, { queue: 'stall' });
      await waitFor(async () => (await jobOf(id)).progress > 0, `job ${id} to run`);
      const owner = (await jobOf(id)).lockedBy!;
      expect((await whyOnPage(page, id, 'running')).text).toContain(`It is running on worker ${owner} (alive`);

      stalled.child.kill('SIGSTOP');
      const why = await whyOnPage(page, id, 'lease_expiring');
      expect(why.text).toMatch(new RegExp(`^It is marked running on worker ${owner.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, but that worker stopped heartbeating: last heard from \\d+s ago \\(it heartbeats every 2s\\)\\. Its lease (expires in \\d+m?s|expired \\d+m?s ago); then a live worker takes the job back\\. Workers$`));
      const lease = (await jobOf(id)).lockedUntil!;
      expect(await page.getByTestId('why-waiting').locator('time').getAttribute('title')).toBe(iso(lease));
      expect(why.links).toEqual([{ text: 'Workers', href: '/admin/workers' }]);
      await screenshots(page, 'stopped-heartbeat');
    } finally {
      await page.close();
      stalled.child.kill('SIGCONT');
      await Promise.all([stopProcess(stalled), stopProcess(reaper)]);
    }
  });
});

async function listWorkersOverApi(server: NextServer): Promise<{ id: string; status: string; queues: string[] }[]> {
  const response = await fetch(`${server.url}/api/workers`, { headers: { authorization: `Bearer ${adminToken}` } });
  return ((await response.json()) as { workers: { id: string; status: string; queues: string[] }[] }).workers;
}
