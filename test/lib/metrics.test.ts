import { describe, expect, it } from 'vitest';
import { getConfig } from '@/config/env';
import { newJobId } from '@/core/ids';
import { DemoJob } from '@/jobs/demo';
import { cancelJobAs } from '@/lib/jobs/job-actions';
import { renderMetrics } from '@/lib/metrics/render';
import { readMetricsSnapshot } from '@/lib/metrics/snapshot';
import { claimJobs } from '@/store/claim';
import { deleteFinishedJobs } from '@/store/cleanup';
import { enqueueJobs } from '@/store/enqueue';
import { getJob } from '@/store/queries';
import { pruneJobMinutes } from '@/store/stats';
import { registerWorker } from '@/store/workers';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { parseScrape, type Scrape } from '../helpers/prometheus';

// GET /api/metrics' text, built in this process from the database, over jobs a worker in another process ran.
const db = useTempDatabase();
const queue = 'metrics-a';

async function scrape(): Promise<Scrape> {
  const engine = await db.engine();
  return parseScrape(await renderMetrics(await readMetricsSnapshot(engine, { leaseMs: getConfig().leaseMs })));
}

const processed = (s: Scrape, outcome: string) => s.value('fluent_jobs_processed_total', { queue, name: 'demo', outcome }) ?? 0;
const retries = (s: Scrape) => s.value('fluent_jobs_retries_total', { queue, name: 'demo' }) ?? 0;
const runs = (s: Scrape) => s.histogram('fluent_jobs_run_duration_seconds', { queue, name: 'demo' })?.count ?? 0;

async function ended(ids: string[]): Promise<boolean> {
  const engine = await db.engine();
  for (const id of ids) if (!['completed', 'failed', 'cancelled'].includes((await getJob(engine, id))!.state)) return false;
  return true;
}

describe('the metrics of GET /api/metrics', () => {
  it('counts the jobs a worker in another process ran, by queue, name and outcome, with their retries and run times', async () => {
    const engine = await db.engine();
    // A job already run and counted, so the counters do not start from nothing.
    const earlier = await DemoJob.later({ steps: 0, delayMs: 0 }, { queue });
    const worker = spawnWorker({ DATABASE_URL: db.url, JOBS_QUEUES: queue, JOBS_POLL_INTERVAL_MS: '50' });
    await waitFor(() => ended([earlier]), 'the first job to end');
    const before = await scrape();
    expect(before.type('fluent_jobs_processed_total')).toBe('COUNTER');
    expect(before.type('fluent_jobs_retries_total')).toBe('COUNTER');
    expect(before.type('fluent_jobs_run_duration_seconds')).toBe('HISTOGRAM');
    expect(before.value('fluent_jobs_workers_alive')).toBe(1);

    const ids = [
      ...(await DemoJob.laterMany([{ steps: 1, delayMs: 1 }, { steps: 1, delayMs: 1 }, { steps: 0, delayMs: 0 }], { queue })),
      await DemoJob.later({ steps: 0, delayMs: 0, failTimes: 1 }, { queue, maxAttempts: 2 }), // retried once, then completes
      await DemoJob.later({ steps: 0, delayMs: 0, failTimes: 9 }, { queue, maxAttempts: 2 }), // retried once, then fails
    ];
    const cancelled = await DemoJob.later({ steps: 0 }, { queue, delay: '1h' });
    expect(await cancelJobAs(engine, cancelled, 'cli')).toBe('cancelled');
    await waitFor(() => ended(ids), 'the jobs to end');
    const after = await scrape();

    expect(processed(after, 'completed') - processed(before, 'completed')).toBe(4);
    expect(processed(after, 'failed') - processed(before, 'failed')).toBe(1);
    expect(processed(after, 'cancelled') - processed(before, 'cancelled')).toBe(1);
    expect(retries(after) - retries(before)).toBe(2);
    expect(runs(after) - runs(before)).toBe(4);
    const histogram = after.histogram('fluent_jobs_run_duration_seconds', { queue, name: 'demo' })!;
    expect(histogram.buckets['300']).toBe(histogram.count); // cumulative: the last bound holds every run here
    expect(histogram.buckets['0.001']).toBeLessThanOrEqual(histogram.buckets['0.25']);
    expect(histogram.sum).toBeGreaterThanOrEqual(0);

    // The queue's jobs by state: nothing left waiting or running.
    const depth = (state: string, waiting?: string) => after.value('fluent_jobs_queue_jobs', { queue, state, ...(waiting ? { waiting } : {}) });
    expect([depth('completed'), depth('failed'), depth('cancelled'), depth('running'), depth('pending', 'ready')]).toEqual([5, 1, 1, 0, 0]);
    expect(after.value('fluent_jobs_queue_oldest_ready_age_seconds', { queue })).toBe(0);
    expect(await stopProcess(worker)).toBe(0);
    expect((await scrape()).value('fluent_jobs_workers_alive')).toBe(0); // it stopped cleanly
  });

  it('never lowers a counter when the stats minutes are pruned and the finished jobs deleted', async () => {
    const engine = await db.engine();
    const before = await scrape();
    expect(processed(before, 'completed')).toBeGreaterThan(0);
    await pruneJobMinutes(engine, Date.now() + 86_400_000);
    expect(await deleteFinishedJobs(engine, ['completed', 'failed', 'cancelled'], Date.now() + 86_400_000)).toBeGreaterThan(0);
    const after = await scrape();
    for (const outcome of ['completed', 'failed', 'cancelled']) expect(processed(after, outcome)).toBe(processed(before, outcome));
    expect(retries(after)).toBe(retries(before));
    expect(runs(after)).toBe(runs(before));
    expect(after.value('fluent_jobs_queue_jobs', { queue, state: 'completed' })).toBe(0); // the gauge follows the table down
  });

  it('shows how long the oldest ready job of each queue has waited, and the jobs dead workers still hold', async () => {
    const engine = await db.engine();
    const now = Date.now();
    const job = (q: string, runAt: number, priority = 0) => ({
      id: newJobId(), name: 'demo', queue: q, priority, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 60_000, runAt, idempotencyKey: null,
    });
    // The oldest ready job is not the first in claim order: a higher priority one, due later, is.
    await enqueueJobs(engine, [job('metrics-idle', now - 300_000), job('metrics-idle', now - 60_000, 10), job('metrics-idle', now + 3_600_000)], now);
    // A worker that stopped heartbeating a day ago without a clean stop, still holding a job.
    await registerWorker(engine, { id: 'dead-worker', host: 'gone', pid: 1, queues: ['metrics-held'], concurrency: 1, jobNames: ['demo'], now: now - 86_400_000 });
    await enqueueJobs(engine, [job('metrics-held', now - 1_000)], now - 1_000);
    expect(await claimJobs(engine, { workerId: 'dead-worker', queues: ['metrics-held'], limit: 1, now, leaseMs: 600_000 })).toHaveLength(1);

    const s = await scrape();
    const age = s.value('fluent_jobs_queue_oldest_ready_age_seconds', { queue: 'metrics-idle' })!;
    expect(age).toBeGreaterThanOrEqual(300);
    expect(age).toBeLessThan(300 + 600); // read now, not from an earlier job
    expect(s.value('fluent_jobs_queue_jobs', { queue: 'metrics-idle', state: 'pending', waiting: 'ready' })).toBe(2);
    expect(s.value('fluent_jobs_queue_jobs', { queue: 'metrics-idle', state: 'pending', waiting: 'scheduled' })).toBe(1);
    expect(s.value('fluent_jobs_dead_worker_jobs', { queue: 'metrics-held' })).toBe(1);
    expect(s.value('fluent_jobs_dead_worker_jobs', { queue: 'metrics-idle' })).toBe(0);
    expect(s.value('fluent_jobs_workers_dead_holding_jobs')).toBe(1);
    expect(s.value('fluent_jobs_workers_alive')).toBe(0);
  });

  it('has the web process\'s own default metrics, registered once however often it is scraped', async () => {
    const [first, second] = [await scrape(), await scrape()];
    for (const s of [first, second]) {
      expect(s.type('process_cpu_user_seconds_total')).toBe('COUNTER');
      expect(s.type('nodejs_heap_size_used_bytes')).toBe('GAUGE');
    }
  });
});
