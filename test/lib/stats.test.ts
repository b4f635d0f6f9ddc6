import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob, retryJob } from '@/store/finish';
import { cancelJob } from '@/store/admin';
import { pauseQueue } from '@/store/queues';
import { setQueueRateLimit } from '@/store/limits';
import { readStats, type StatsJson } from '@/lib/jobs/stats';
import { runTimeBucketsMs } from '@/store/stats';
import { newJobId, shortJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';

const db = useTempDatabase();
const minuteMs = 60_000;
// Retried attempts count in the database's own clock minute, so the story is told around the real time:
// it happened ten minutes ago, and the stats are read a little ahead, so that real minute is in every window.
const realMinute = Math.floor(Date.now() / minuteMs) * minuteMs;
const t = realMinute - 10 * minuteMs;
const now = realMinute + 5 * minuteMs + 30_000;
const lastMinute = realMinute + 4 * minuteMs;
const iso = (ms: number) => new Date(ms).toISOString();

const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'send', queue: 'mail', priority: 0, params: '{}', maxAttempts: 3,
  backoff: null, timeoutMs: 1000, runAt: t, idempotencyKey: null, ...overrides,
});
const owner = (id: string) => ({ jobId: id, workerId: 'w', attempt: 1 });
const error = { message: 'boom', name: 'Error' };

/** Enqueues `jobs` due at `at`, claims exactly them at `at` and hands back their ids. */
async function started(engine: Engine, at: number, ...jobs: NewJob[]): Promise<string[]> {
  await enqueueJobs(engine, jobs, at);
  const claimed = await claimJobs(engine, { workerId: 'w', queues: [jobs[0].queue], limit: jobs.length, now: at, leaseMs: 600_000 });
  expect(claimed.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
  return jobs.map((j) => j.id);
}

const ready = { early: job({ priority: 10, runAt: now - 1_000 }), oldest: job({ priority: -5, runAt: t - minuteMs }) };
const limited = job({ queue: 'limited', runAt: t });
let retriedMinutes: number[];

beforeAll(async () => {
  const engine = await db.engine();
  // 25 hours ago: outside a 24-hour window, inside a 48-hour one.
  const [old] = await started(engine, now - 25 * 3_600_000, job({ runAt: now - 25 * 3_600_000 }));
  await completeJob(engine, owner(old), { result: null, now: now - 25 * 3_600_000 + 10, logs: [] });

  const [fast, slow, failing, retrying] = await started(engine, t, job(), job(), job(), job());
  await completeJob(engine, owner(fast), { result: null, now: t + 3, logs: [] }); // 3 ms
  await completeJob(engine, owner(slow), { result: null, now: t + 700, logs: [] }); // 700 ms
  await endJob(engine, owner(failing), { state: 'failed', outcome: 'failed', error, now: t + 5, logs: [] });
  const before = Math.floor(Date.now() / minuteMs) * minuteMs;
  await retryJob(engine, owner(retrying), { outcome: 'failed', error, runAt: now + 3_600_000, now: t + 5, logs: [] });
  retriedMinutes = [before, Math.floor(Date.now() / minuteMs) * minuteMs];
  const cancelled = job({ runAt: t + 3_600_000 });
  await enqueueJobs(engine, [cancelled], t);
  await cancelJob(engine, cancelled.id, t + 10);

  const [resized, broken] = await started(engine, t + minuteMs, job({ queue: 'other', name: 'resize' }), job({ queue: 'other', name: 'resize' }));
  await completeJob(engine, owner(resized), { result: null, now: t + minuteMs + 5, logs: [] }); // 5 ms
  await endJob(engine, owner(broken), { state: 'failed', outcome: 'failed', error, now: t + minuteMs + 9, logs: [] });

  const [late] = await started(engine, lastMinute, job({ runAt: lastMinute }));
  await completeJob(engine, owner(late), { result: null, now: lastMinute + 40, logs: [] }); // 40 ms
  await started(engine, t, job({ queue: 'busy', name: 'crunch' })); // left running

  // What waits in mail: two ready (one of them long overdue at a low priority), one holding its key's slot and
  // one throttled behind it, one blocked by its parent; plus a paused queue and a rate-limited one.
  await enqueueJobs(engine, [ready.early, ready.oldest], now);
  await enqueueJobs(engine, [job({ concurrencyKey: 'k', concurrencyLimit: 1, runAt: t }), job({ concurrencyKey: 'k', concurrencyLimit: 1, runAt: t })], now);
  await enqueueJobs(engine, [job({ dependsOn: [ready.early.id] })], now);
  await pauseQueue(engine, 'paused-q', t);
  await enqueueJobs(engine, [job({ queue: 'paused-q' })], now);
  await setQueueRateLimit(engine, { queue: 'limited', max: 10, durationMs: minuteMs, now: t });
  await enqueueJobs(engine, [limited], now);
});

const noWaiting = { ready: 0, scheduled: 0, paused: 0, blocked: 0, throttled: 0 };

describe('readStats', () => {
  it('counts every state per queue and overall, pending jobs by why they wait (in words), with the oldest ready job, pause and rate of each queue', async () => {
    const stats = await readStats(await db.engine(), { now, hours: 1 });
    expect(stats.generatedAt).toBe(iso(now));
    expect(stats.queue).toBeNull();
    expect(stats.counts).toEqual({
      total: 17, pending: 8, running: 1, completed: 5, failed: 2, cancelled: 1,
      waiting: { ready: 4, scheduled: 1, paused: 1, blocked: 1, throttled: 1 },
    });
    const byQueue = Object.fromEntries(stats.queues.map((q) => [q.queue, q]));
    expect(Object.keys(byQueue)).toEqual(['busy', 'limited', 'mail', 'other', 'paused-q']);
    expect(byQueue.mail).toEqual({
      queue: 'mail', paused: false, rateLimit: null,
      counts: { total: 12, pending: 6, running: 0, completed: 4, failed: 1, cancelled: 1, waiting: { ready: 3, scheduled: 1, paused: 0, blocked: 1, throttled: 1 } },
      // Not the job a claim would take first (priority 10), but the one due the longest.
      oldestReady: { id: ready.oldest.id, shortId: shortJobId(ready.oldest.id), since: iso(t - minuteMs), ageMs: now - (t - minuteMs) },
    });
    expect(byQueue.limited).toMatchObject({
      rateLimit: { max: 10, durationMs: minuteMs, rate: '10/1m' }, paused: false,
      counts: { pending: 1, waiting: { ...noWaiting, ready: 1 } }, oldestReady: { id: limited.id, since: iso(t) },
    });
    expect(byQueue['paused-q']).toMatchObject({ paused: true, oldestReady: null, counts: { pending: 1, waiting: { ...noWaiting, paused: 1 } } });
    expect(byQueue.busy).toMatchObject({ oldestReady: null, counts: { total: 1, running: 1, pending: 0 } });
  });

  it('gives throughput per minute over the window (sparse), totals with the failure rate, and the last whole minute', async () => {
    const stats = await readStats(await db.engine(), { now, hours: 1 });
    expect(stats.window).toEqual({ hours: 1, from: iso(now - 3_600_000), to: iso(now) });
    const retried = stats.throughput.filter((m) => m.retried > 0);
    expect(retried).toHaveLength(1);
    expect(retriedMinutes.map(iso)).toContain(retried[0].minute);
    expect(stats.throughput.filter((m) => m.retried === 0)).toEqual([
      { minute: iso(t), completed: 2, failed: 1, cancelled: 1, retried: 0 },
      { minute: iso(t + minuteMs), completed: 1, failed: 1, cancelled: 0, retried: 0 },
      { minute: iso(lastMinute), completed: 1, failed: 0, cancelled: 0, retried: 0 },
    ]);
    expect(stats.totals).toEqual({
      completed: 4, failed: 2, cancelled: 1, retried: 1, failureRate: 0.3333,
      jobsPerMinute: 0.1167, // 7 ended over 60 minutes
      lastMinute: { minute: iso(lastMinute), completed: 1, failed: 0, cancelled: 0, retried: 0 },
    });
    const longer = await readStats(await db.engine(), { now, hours: 48 });
    expect(longer.totals.completed).toBe(5);
    expect(longer.throughput[0]).toEqual({ minute: iso(Math.floor((now - 25 * 3_600_000) / minuteMs) * minuteMs), completed: 1, failed: 0, cancelled: 0, retried: 0 });
    expect((await readStats(await db.engine(), { now })).window.hours).toBe(24);
  });

  it('gives each job name its counts, failure rate, exact mean and bucket-estimated p50/p95/p99 run times', async () => {
    const stats = await readStats(await db.engine(), { now, hours: 1 });
    expect(stats.runTimeBucketsMs).toEqual([...runTimeBucketsMs]);
    expect(stats.names).toEqual([
      // One 5 ms run, in the bucket (2, 5]: interpolated inside it.
      { name: 'resize', completed: 1, failed: 1, cancelled: 0, retried: 0, failureRate: 0.5, runTimeMs: { samples: 1, mean: 5, p50: 3.5, p95: 4.9, p99: 5 } },
      // 3, 40 and 700 ms, in (2, 5], (25, 50] and (500, 1000]: the median is half way into (25, 50].
      { name: 'send', completed: 3, failed: 1, cancelled: 1, retried: 1, failureRate: 0.25, runTimeMs: { samples: 3, mean: 247.7, p50: 37.5, p95: 925, p99: 985 } },
    ]);
  });

  it('narrows everything to one queue, and shows a queue asked for by name even when it holds nothing', async () => {
    const other = await readStats(await db.engine(), { now, hours: 1, queue: 'other' });
    expect(other.queue).toBe('other');
    expect(other.counts).toEqual({ total: 2, pending: 0, running: 0, completed: 1, failed: 1, cancelled: 0, waiting: noWaiting });
    expect(other.queues.map((q) => q.queue)).toEqual(['other']);
    expect(other.throughput).toEqual([{ minute: iso(t + minuteMs), completed: 1, failed: 1, cancelled: 0, retried: 0 }]);
    expect(other.names.map((n) => n.name)).toEqual(['resize']);
    const empty = await readStats(await db.engine(), { now, queue: 'nothing-here' });
    expect(empty.queues).toEqual([{ queue: 'nothing-here', counts: { total: 0, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, waiting: noWaiting }, paused: false, rateLimit: null, oldestReady: null }]);
    expect([empty.throughput, empty.names, empty.totals.failureRate]).toEqual([[], [], null]);
  });

  it('refuses a window outside 1 to 168 whole hours and a queue name that cannot be one, as bad requests', async () => {
    const engine = await db.engine();
    for (const hours of [0, 169, 1.5, Number.NaN]) {
      await expect(readStats(engine, { now, hours })).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('1 to 168') });
    }
    await expect(readStats(engine, { now, queue: 'no spaces' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('reads the jobs table only by the oldest-ready index seeks, and not at all when no queue has a ready job', async () => {
    const engine = await db.engine();
    const seen: string[] = [];
    const recording: Engine = {
      kind: engine.kind, location: engine.location, orm: engine.orm,
      all: (sql, args) => (seen.push(sql), engine.all(sql, args)),
      run: (sql, args) => (seen.push(sql), engine.run(sql, args)),
      batch: (statements) => (seen.push(...statements.map((s) => s.sql)), engine.batch(statements)),
      deferredBatch: (build) => engine.deferredBatch(() => {
        const statements = build();
        seen.push(...statements.map((s) => s.sql));
        return statements;
      }),
      close: () => engine.close(),
    };
    const ofJobs = () => seen.filter((sql) => /\b(FROM|JOIN)\s+jobs\b/i.test(sql));
    await readStats(recording, { now, hours: 168 });
    expect(ofJobs().length).toBeGreaterThan(0);
    expect(ofJobs().filter((sql) => !/INDEXED BY jobs_(queue|rate)_claim_idx/.test(sql) || !/LIMIT 1\b/.test(sql))).toEqual([]);
    seen.length = 0;
    const quiet: StatsJson = await readStats(recording, { now, queue: 'other' });
    expect(quiet.queues[0].oldestReady).toBeNull();
    expect(ofJobs()).toEqual([]);
  });
});
