import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs, claimRateLimitedJobs, promoteDueJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob, retryJob } from '@/store/finish';
import { cancelJob } from '@/store/admin';
import { clearQueueRateLimit, grantSlots, listQueueLimits, setQueueRateLimit } from '@/store/limits';
import { reapAllRunning } from '../helpers/leases';
import { resolveDependents } from '@/store/dependencies';
import { listQueues, pauseQueue, resumeQueue } from '@/store/queues';
import { getJob } from '@/store/queries';
import { newJobId } from '@/core/ids';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1);
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'limits', priority: 0, params: '{}', maxAttempts: 3,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});
const claim = async (queues: string[] = ['limits'], now = t0, workerId = 'w') =>
  (await claimJobs(await db.engine(), { workerId, queues, limit: 100, now, leaseMs: 1000 })).map((j) => j.id);
const done = async (id: string, key: string | null, now = t0) =>
  expect(await completeJob(await db.engine(), { jobId: id, workerId: 'w', attempt: (await getJob(await db.engine(), id))!.attempts, concurrencyKey: key }, { result: null, now, logs: [] })).toBe('completed');

describe('concurrency keys', () => {
  it('lets at most `limit` jobs of a key hold a slot, in priority then id order, and hands a freed slot on in the same batch', async () => {
    const engine = await db.engine();
    const a = [job({ concurrencyKey: 'tenant-a', concurrencyLimit: 2 }), job({ concurrencyKey: 'tenant-a', concurrencyLimit: 2 }),
      job({ concurrencyKey: 'tenant-a', concurrencyLimit: 2 }), job({ concurrencyKey: 'tenant-a', concurrencyLimit: 2, priority: 5 })];
    const b = job({ concurrencyKey: 'tenant-b' });
    const free = job();
    await enqueueJobs(engine, [...a, b, free], t0);
    // The urgent one and the oldest get tenant-a's two slots; tenant-b's one is independent.
    expect((await claim()).sort()).toEqual([a[3].id, a[0].id, b.id, free.id].sort());
    expect(await getJob(engine, a[1].id)).toMatchObject({ state: 'pending', scheduled: 4 });
    expect(await claim()).toEqual([]);
    expect(await grantSlots(engine)).toEqual([]); // a sweep grants nothing while the slots are held

    await done(a[0].id, 'tenant-a');
    expect(await claim()).toEqual([a[1].id]);
    await done(a[3].id, 'tenant-a');
    await done(a[1].id, 'tenant-a');
    expect(await claim()).toEqual([a[2].id]);
    await done(a[2].id, 'tenant-a');
    await done(b.id, 'tenant-b');
    await done(free.id, null);
  });

  it('sends a retried keyed job back to wait for a slot, frees the slot of a cancelled or reaped one, and keeps counting through pause and resume', async () => {
    const engine = await db.engine();
    const [first, second, third] = [job({ concurrencyKey: 'k' }), job({ concurrencyKey: 'k' }), job({ concurrencyKey: 'k' })];
    await enqueueJobs(engine, [first, second, third], t0);
    expect(await claim()).toEqual([first.id]);

    // first fails and is retried a moment later: second and third are ahead of it now, and second takes the slot
    await retryJob(engine, { jobId: first.id, workerId: 'w', attempt: 1, concurrencyKey: 'k' }, { outcome: 'failed', runAt: t0 + 1, now: t0 + 1, logs: [] });
    expect(await getJob(engine, first.id)).toMatchObject({ state: 'pending', scheduled: 4 });
    expect(await claim()).toEqual([second.id]);

    // second's worker dies: the reaper takes it back and grants the slot it held again, in the same batch
    await reapAllRunning(engine, t0 + 2_000);
    expect(await getJob(engine, second.id)).toMatchObject({ state: 'pending', scheduled: 0 });
    await promoteDueJobs(engine, t0 + 2_000); // the sweep finds nothing more to grant
    expect(await getJob(engine, second.id)).toMatchObject({ scheduled: 0 });

    // a granted job that is cancelled before it runs gives its slot to the next
    expect(await cancelJob(engine, second.id, t0 + 2_000)).toBe('cancelled');
    expect(await getJob(engine, third.id)).toMatchObject({ scheduled: 0 });

    // pausing parks the granted job and frees its slot, but grants nothing into a paused queue;
    // resume makes the parked job wait for a slot again
    expect(await pauseQueue(engine, 'limits', t0)).toBe(1);
    expect(await getJob(engine, third.id)).toMatchObject({ scheduled: 2 });
    expect(await getJob(engine, first.id)).toMatchObject({ scheduled: 4 });
    expect(await resumeQueue(engine, 'limits')).toBe(1);
    expect(await claim(['limits'], t0 + 2_000)).toEqual([third.id]);
    expect(await getJob(engine, first.id)).toMatchObject({ scheduled: 4 });
    await endJob(engine, { jobId: third.id, workerId: 'w', attempt: 1, concurrencyKey: 'k' }, { state: 'failed', outcome: 'failed', error: { name: 'Error', message: 'x' }, now: t0, logs: [] });
    expect(await claim(['limits'], t0 + 2_000)).toEqual([first.id]);
    await done(first.id, 'k');
  });

  it('makes a keyed job that comes due later wait for a slot too', async () => {
    const engine = await db.engine();
    const holder = job({ concurrencyKey: 'later' });
    const delayed = job({ concurrencyKey: 'later', runAt: t0 + 1_000 });
    await enqueueJobs(engine, [holder, delayed], t0);
    expect(await claim()).toEqual([holder.id]);
    expect(await promoteDueJobs(engine, t0 + 1_000)).toBe(1);
    expect(await getJob(engine, delayed.id)).toMatchObject({ scheduled: 4 });
    await done(holder.id, 'later');
    expect(await claim()).toEqual([delayed.id]);
    await done(delayed.id, 'later');
  });
  it('gives a keyed job its slot as soon as the job it depends on has ended', async () => {
    const engine = await db.engine();
    const parent = job();
    await enqueueJobs(engine, [parent], t0);
    const child = job({ concurrencyKey: 'after-parent', dependsOn: [parent.id] });
    await enqueueJobs(engine, [child], t0);
    expect(await getJob(engine, child.id)).toMatchObject({ scheduled: 3 });
    expect(await claim()).toEqual([parent.id]);
    await done(parent.id, null);
    expect((await resolveDependents(engine, { parentIds: [parent.id], now: t0 })).released).toEqual([child.id]);
    expect(await getJob(engine, child.id)).toMatchObject({ scheduled: 0 });
    expect(await claim()).toEqual([child.id]);
    await done(child.id, 'after-parent');
  });
});

describe('queue rate limits', () => {
  const rateClaim = async (now: number, limit = 100) =>
    claimRateLimitedJobs(await db.engine(), { workerId: 'w', queues: ['api'], queue: 'api', limit, now, leaseMs: 60_000 });

  it('starts at most max jobs in any window of the duration, across claims, and says when the next may start', async () => {
    const engine = await db.engine();
    await setQueueRateLimit(engine, { queue: 'api', max: 3, durationMs: 1_000, now: t0 });
    expect(await listQueueLimits(engine)).toEqual([{ queue: 'api', rateMax: 3, rateDurationMs: 1_000, updatedAt: t0 }]);
    const ids = Array.from({ length: 8 }, () => job({ queue: 'api' }));
    await enqueueJobs(engine, ids, t0);
    expect(await claim(['api'])).toEqual([]); // the ordinary claim never takes them
    expect(await claim([])).toEqual([]);

    const first = await rateClaim(t0, 2);
    expect(first.jobs.map((j) => j.id)).toEqual([ids[0].id, ids[1].id]);
    const second = await rateClaim(t0 + 400);
    expect(second.jobs.map((j) => j.id)).toEqual([ids[2].id]); // the third start of the window
    expect(second.nextStartAt).toBe(t0 + 1_000); // when the first two leave the window
    expect((await rateClaim(t0 + 999)).jobs).toEqual([]);
    expect((await rateClaim(t0 + 1_000)).jobs.map((j) => j.id)).toEqual([ids[3].id, ids[4].id]);
    expect((await rateClaim(t0 + 1_400)).jobs.map((j) => j.id)).toEqual([ids[5].id]);
    const last = await rateClaim(t0 + 2_400);
    expect(last.jobs.map((j) => j.id)).toEqual([ids[6].id, ids[7].id]);
    expect(last.nextStartAt).toBeNull(); // nothing waits

    // A retried job counts again when it starts again.
    await retryJob(engine, { jobId: ids[7].id, workerId: 'w', attempt: 1 }, { outcome: 'failed', runAt: t0 + 2_400, now: t0 + 2_400, logs: [] });
    expect(await getJob(engine, ids[7].id)).toMatchObject({ state: 'pending', scheduled: 5 });
    expect((await rateClaim(t0 + 2_400)).jobs.map((j) => j.id)).toEqual([ids[7].id]);
    expect((await rateClaim(t0 + 3_000)).jobs).toEqual([]);
    const starts = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM queue_rate_starts WHERE queue = 'api'`);
    expect(Number(starts[0].n)).toBe(9);
    expect((await listQueues(engine)).find((q) => q.queue === 'api')).toMatchObject({ running: 8, rateLimit: { max: 3, durationMs: 1_000 } });
    await reapAllRunning(engine, t0 + 120_000); // back to pending, for the next test
  });

  it('moves waiting jobs to the ordinary claim when the limit is lifted, and back when it is set', async () => {
    const engine = await db.engine();
    expect(await clearQueueRateLimit(engine, 'api')).toBe(true);
    expect(await clearQueueRateLimit(engine, 'api')).toBe(false);
    const waiting = (await claim(['api'], t0 + 200_000)).length;
    expect(waiting).toBe(8);
    await reapAllRunning(engine, t0 + 300_000);
    await setQueueRateLimit(engine, { queue: 'api', max: 1, durationMs: 60_000, now: t0 });
    expect(await claim(['api'], t0 + 300_000)).toEqual([]);
    expect((await rateClaim(t0 + 300_000)).jobs).toHaveLength(1);
    // Starts older than the window (and a margin) are pruned by the next claim.
    await rateClaim(t0 + 500_000);
    const kept = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM queue_rate_starts WHERE queue = 'api' AND started_at < ?`, [t0 + 300_000]);
    expect(Number(kept[0].n)).toBe(0);
  });

  it('gives a keyed job in a rate-limited queue its slot first, then its start', async () => {
    const engine = await db.engine();
    await setQueueRateLimit(engine, { queue: 'both', max: 10, durationMs: 1_000, now: t0 });
    const [x, y] = [job({ queue: 'both', concurrencyKey: 'kb' }), job({ queue: 'both', concurrencyKey: 'kb' })];
    await enqueueJobs(engine, [x, y], t0);
    expect(await getJob(engine, x.id)).toMatchObject({ scheduled: 5 });
    expect(await getJob(engine, y.id)).toMatchObject({ scheduled: 4 });
    const claimed = await claimRateLimitedJobs(engine, { workerId: 'w', queues: ['both'], queue: 'both', limit: 10, now: t0, leaseMs: 1_000 });
    expect(claimed.jobs.map((j) => j.id)).toEqual([x.id]);
    await done(x.id, 'kb');
    expect(await getJob(engine, y.id)).toMatchObject({ scheduled: 5 });
  });
});
