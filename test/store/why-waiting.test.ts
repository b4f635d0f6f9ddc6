import { afterEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobById, claimJobs, claimRateLimitedJobs } from '@/store/claim';
import { enqueueInTransaction, enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, retryJob } from '@/store/finish';
import { setQueueRateLimit } from '@/store/limits';
import { pauseQueue } from '@/store/queues';
import { markWorkerStopped, registerWorker } from '@/store/workers';
import { whyWaiting } from '@/lib/jobs/why-waiting';
import { aheadIn, waitingOrders } from '@/store/waiting-order';
import { newJobId } from '@/core/ids';

const db = useTempDatabase();
const leaseMs = 1_000;
/** Each test lives on a day of its own, so the workers of one are never live in another. */
let day = 0;
const today = () => Date.UTC(2026, 0, 1) + day * 86_400_000;
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'why', priority: 0, params: '{}', maxAttempts: 3,
  backoff: null, timeoutMs: 1000, runAt: today(), idempotencyKey: null, ...overrides,
});
const why = async (id: string, now: number) => whyWaiting(await db.engine(), id, { now, leaseMs });

const workerIds: string[] = [];
async function worker(id: string, args: { queues: string[]; names: string[]; heartbeatAt: number }) {
  await registerWorker(await db.engine(), { id, host: 'h', pid: 1, queues: args.queues, concurrency: 1, jobNames: args.names, now: args.heartbeatAt });
  workerIds.push(id);
}
afterEach(async () => {
  for (const id of workerIds.splice(0)) await markWorkerStopped(await db.engine(), id, 0);
  day++;
});

describe('why a job is not running', () => {
  it('says a delayed job runs later, at its run_at', async () => {
    const t = today();
    const later = job({ runAt: t + 60_000 });
    await enqueueJobs(await db.engine(), [later], t);
    expect(await why(later.id, t)).toEqual({ kind: 'runs_later', at: t + 60_000, queue: 'why' });
  });

  it('says a failed attempt waits out its retry backoff, naming the attempt it will be and the error it failed with', async () => {
    const engine = await db.engine();
    const t = today();
    const flaky = job({ queue: 'why-retry' });
    await enqueueJobs(engine, [flaky], t);
    await claimJobs(engine, { workerId: 'w', queues: ['why-retry'], limit: 1, now: t, leaseMs });
    await retryJob(engine, { jobId: flaky.id, workerId: 'w', attempt: 1 }, { outcome: 'failed', error: { name: 'Error', message: 'x' }, runAt: t + 5_000, now: t, logs: [] });
    expect(await why(flaky.id, t + 1)).toEqual({ kind: 'retry_backoff', at: t + 5_000, attempt: 2, maxAttempts: 3, lastError: 'x' });
  });

  it('names the parents a blocked job still waits for, not the ones that ended', async () => {
    const engine = await db.engine();
    const t = today();
    const [open, done] = [job({ queue: 'why-parents', name: 'extract' }), job({ queue: 'why-parents', name: 'load' })];
    await enqueueJobs(engine, [open, done], t);
    await claimJobById(engine, { id: done.id, workerId: 'w', now: t, leaseMs });
    await completeJob(engine, { jobId: done.id, workerId: 'w', attempt: 1 }, { result: null, now: t, logs: [] });
    const child = job({ queue: 'why-parents', dependsOn: [open.id, done.id] });
    await enqueueJobs(engine, [child], t);
    expect(await why(child.id, t)).toEqual({ kind: 'blocked', by: [{ id: open.id, name: 'extract', state: 'pending' }], openCount: 1 });
  });

  it('says the queue is paused, and since when', async () => {
    const engine = await db.engine();
    const t = today();
    const parked = job({ queue: 'why-paused' });
    await enqueueJobs(engine, [parked], t);
    await pauseQueue(engine, 'why-paused', t + 10);
    expect(await why(parked.id, t + 20)).toEqual({ kind: 'queue_paused', queue: 'why-paused', since: t + 10 });
  });

  it('counts the jobs holding a full concurrency key, naming them running first, and those ahead in grant order, an urgent later one included', async () => {
    const engine = await db.engine();
    const t = today();
    const keyed = (o: Partial<NewJob> = {}) => job({ queue: 'why-key', concurrencyKey: 'tenant-why', concurrencyLimit: 2, ...o });
    const [first, second, third, target] = [keyed(), keyed(), keyed(), keyed()];
    await enqueueJobs(engine, [first, second, third, target], t);
    await claimJobs(engine, { workerId: 'w', queues: ['why-key'], limit: 1, now: t, leaseMs }); // first runs, second is granted
    const urgent = keyed({ priority: 10 });
    await enqueueJobs(engine, [urgent], t);
    expect(await why(target.id, t)).toEqual({
      kind: 'concurrency_full', key: 'tenant-why', limit: 2, running: 2,
      holders: [{ id: first.id, state: 'running' }, { id: second.id, state: 'granted' }], ahead: { count: 2, orMore: false },
    });
    expect(await why(urgent.id, t)).toMatchObject({ kind: 'concurrency_full', ahead: { count: 0, orMore: false } });

    // A job waiting in a paused queue gets no slot, so it is not ahead of one in another queue.
    await pauseQueue(engine, 'why-key', t);
    const elsewhere = keyed({ queue: 'why-key-2', concurrencyLimit: 1 });
    await enqueueJobs(engine, [elsewhere], t);
    expect(await why(elsewhere.id, t)).toEqual({
      kind: 'concurrency_full', key: 'tenant-why', limit: 1, running: 1, holders: [{ id: first.id, state: 'running' }], ahead: { count: 0, orMore: false },
    });
  });

  it('counts a free slot as taken by the keyed jobs ahead that the next grant gives it to', async () => {
    const engine = await db.engine();
    const t = today();
    await worker('why-grant-worker', { queues: ['why-grant'], names: ['demo'], heartbeatAt: t });
    // Enqueued inside a transaction, keyed jobs wait for a worker's next sweep to be granted their slot.
    const [next, behind] = [job({ queue: 'why-grant', concurrencyKey: 'tenant-grant' }), job({ queue: 'why-grant', concurrencyKey: 'tenant-grant' })];
    await enqueueInTransaction(engine.orm, next, t);
    await enqueueInTransaction(engine.orm, behind, t);
    expect(await why(next.id, t)).toEqual({ kind: 'waiting_for_worker', ahead: null });
    expect(await why(behind.id, t)).toEqual({ kind: 'concurrency_full', key: 'tenant-grant', limit: 1, running: 0, holders: [], ahead: { count: 1, orMore: false } });
  });

  it('says when a rate-limited queue\'s window lets the next job start, as the rate-limited claim counts it', async () => {
    const engine = await db.engine();
    const t = today();
    await setQueueRateLimit(engine, { queue: 'why-rate', max: 2, durationMs: 1_000, now: t });
    const [a, b, c] = [job({ queue: 'why-rate' }), job({ queue: 'why-rate' }), job({ queue: 'why-rate' })];
    await enqueueJobs(engine, [a, b, c], t);
    await worker('why-rate-worker', { queues: ['why-rate'], names: ['demo'], heartbeatAt: t });
    const claimed = await claimRateLimitedJobs(engine, { workerId: 'w', queues: ['why-rate'], queue: 'why-rate', limit: 5, now: t, leaseMs });
    expect(claimed.jobs.map((j) => j.id)).toEqual([a.id, b.id]);
    expect(await why(c.id, t + 500)).toEqual({ kind: 'rate_limited', queue: 'why-rate', max: 2, durationMs: 1_000, opensAt: claimed.nextStartAt, ahead: { count: 0, orMore: false } });
    // once the window has moved past the two starts, it only waits for the worker
    expect(await why(c.id, t + 1_000)).toEqual({ kind: 'waiting_for_worker', ahead: { count: 0, orMore: false } });
  });

  it('says no live worker can run it, listing the live ones: a dead worker and workers of other queues or names do not count', async () => {
    const t = today();
    const report = job({ queue: 'why-nw', name: 'report' });
    await enqueueJobs(await db.engine(), [report], t);
    await worker('other-name', { queues: ['why-nw'], names: ['demo'], heartbeatAt: t });
    await worker('other-queue', { queues: ['elsewhere'], names: ['report'], heartbeatAt: t });
    await worker('dead', { queues: [], names: ['report'], heartbeatAt: t - 3 * leaseMs });
    const cause = await why(report.id, t);
    expect(cause).toMatchObject({ kind: 'no_worker', queue: 'why-nw', name: 'report' });
    expect(cause?.kind === 'no_worker' && [...cause.liveWorkers].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'other-name', queues: ['why-nw'], jobNames: ['demo'] },
      { id: 'other-queue', queues: ['elsewhere'], jobNames: ['report'] },
    ]);
    await worker('every-queue', { queues: [], names: ['report'], heartbeatAt: t });
    expect(await why(report.id, t)).toEqual({ kind: 'waiting_for_worker', ahead: { count: 0, orMore: false } });
  });

  it('says a due job that no worker promoted yet waits for a worker, and names none when none is live', async () => {
    const t = today();
    const due = job({ queue: 'why-due', runAt: t + 1_000 });
    await enqueueJobs(await db.engine(), [due], t);
    expect(await why(due.id, t + 2_000)).toEqual({ kind: 'no_worker', queue: 'why-due', name: 'demo', liveWorkers: [] });
  });

  it('counts the ready jobs ahead of it in its queue\'s claim order, up to 1000 and then "1000+"', async () => {
    const engine = await db.engine();
    const t = today();
    await worker('busy', { queues: ['why-busy'], names: ['demo'], heartbeatAt: t });
    const [first, second] = [job({ queue: 'why-busy' }), job({ queue: 'why-busy' })];
    await enqueueJobs(engine, [first, second, job({ queue: 'why-elsewhere' })], t);
    const urgent = job({ queue: 'why-busy', priority: 5 });
    await enqueueJobs(engine, [urgent], t);
    expect(await why(second.id, t)).toEqual({ kind: 'waiting_for_worker', ahead: { count: 2, orMore: false } });
    expect(await why(urgent.id, t)).toEqual({ kind: 'waiting_for_worker', ahead: { count: 0, orMore: false } });

    const crowd = Array.from({ length: 1_000 }, () => job({ queue: 'why-busy', priority: 5 }));
    await enqueueJobs(engine, crowd, t);
    expect(await why(first.id, t)).toEqual({ kind: 'waiting_for_worker', ahead: { count: 1_000, orMore: true } });
    expect(await why(crowd[998].id, t)).toEqual({ kind: 'waiting_for_worker', ahead: { count: 999, orMore: false } });
  });

  it('shows a running job\'s worker, its lease and heartbeat age, and whether a cancel was asked for', async () => {
    const engine = await db.engine();
    const t = today();
    const busy = job({ queue: 'why-running' });
    await enqueueJobs(engine, [busy], t);
    await worker('runner', { queues: ['why-running'], names: ['demo'], heartbeatAt: t });
    await claimJobs(engine, { workerId: 'runner', queues: ['why-running'], limit: 1, now: t, leaseMs });
    expect(await why(busy.id, t + 300)).toEqual({ kind: 'running', worker: 'runner', leaseUntil: t + leaseMs, workerAlive: true, heartbeatAgeMs: 300, cancelRequested: false });
  });

  it('says the lease will be taken back when the running job\'s worker stopped heartbeating', async () => {
    const engine = await db.engine();
    const t = today();
    const orphan = job({ queue: 'why-dead' });
    await enqueueJobs(engine, [orphan], t);
    await worker('crashed', { queues: ['why-dead'], names: ['demo'], heartbeatAt: t });
    await claimJobs(engine, { workerId: 'crashed', queues: ['why-dead'], limit: 1, now: t, leaseMs: 10 * leaseMs });
    // its lease still runs, but two leases passed without a heartbeat
    expect(await why(orphan.id, t + 2 * leaseMs + 1)).toEqual({
      kind: 'lease_expiring', worker: 'crashed', leaseUntil: t + 10 * leaseMs, heartbeatAgeMs: 2 * leaseMs + 1, heartbeatEveryMs: 333, reason: 'worker_dead', otherLiveWorkers: 0,
    });
  });

  it('says a running job\'s worker stopped heartbeating once it missed two beats, while its lease still runs, and counts the live workers that take it back', async () => {
    const engine = await db.engine();
    const t = today();
    const frozen = job({ queue: 'why-frozen' });
    await enqueueJobs(engine, [frozen], t);
    await worker('frozen', { queues: ['why-frozen'], names: ['demo'], heartbeatAt: t });
    await worker('healthy', { queues: ['elsewhere'], names: ['demo'], heartbeatAt: t + 600 });
    await claimJobs(engine, { workerId: 'frozen', queues: ['why-frozen'], limit: 1, now: t, leaseMs });
    // It beats every 333 ms: silent for 600 ms it may just be late, past 666 ms it missed two beats.
    expect(await why(frozen.id, t + 600)).toMatchObject({ kind: 'running', workerAlive: true, heartbeatAgeMs: 600 });
    expect(await why(frozen.id, t + 700)).toEqual({
      kind: 'lease_expiring', worker: 'frozen', leaseUntil: t + leaseMs, heartbeatAgeMs: 700, heartbeatEveryMs: 333, reason: 'heartbeat_late', otherLiveWorkers: 1,
    });
    // and so after its lease ran out, until two leases of silence make it dead
    expect(await why(frozen.id, t + leaseMs + 100)).toMatchObject({ kind: 'lease_expiring', reason: 'heartbeat_late', otherLiveWorkers: 1 });
  });

  it('says the lease will be taken back when an in-process run let its lease run out', async () => {
    const engine = await db.engine();
    const t = today();
    const inline = job({ queue: 'why-inline' });
    await enqueueJobs(engine, [inline], t);
    await claimJobById(engine, { id: inline.id, workerId: 'inline:h:1:x', now: t, leaseMs });
    expect(await why(inline.id, t + leaseMs - 1)).toMatchObject({ kind: 'running', workerAlive: null, heartbeatAgeMs: null });
    expect(await why(inline.id, t + leaseMs + 1)).toEqual({
      kind: 'lease_expiring', worker: 'inline:h:1:x', leaseUntil: t + leaseMs, heartbeatAgeMs: null, heartbeatEveryMs: 333, reason: 'lease_ran_out', otherLiveWorkers: 0,
    });
  });

  it('has no cause for a job that ended, and refuses an unknown id', async () => {
    const engine = await db.engine();
    const t = today();
    const ended = job({ queue: 'why-ended' });
    await enqueueJobs(engine, [ended], t);
    await claimJobById(engine, { id: ended.id, workerId: 'w', now: t, leaseMs });
    await completeJob(engine, { jobId: ended.id, workerId: 'w', attempt: 1 }, { result: null, now: t, logs: [] });
    expect(await why(ended.id, t)).toBeNull();
    await expect(why(newJobId(), t)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('why-waiting query plans', () => {
  it('counts the jobs ahead with two range seeks of the order\'s own index, never a scan of its queue or key', async () => {
    const engine = await db.engine();
    for (const order of Object.keys(waitingOrders) as (keyof typeof waitingOrders)[]) {
      const { sql, args } = aheadIn(order, 'x', { priority: 0, runAt: 1, id: 'y' });
      const plan = (await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT ${sql}`, args)).map((r) => r.detail);
      const seeks = plan.filter((line) => line.startsWith('SEARCH jobs'));
      const column = order === 'slot' ? 'concurrency_key' : 'queue';
      expect(seeks, order).toEqual([
        expect.stringMatching(new RegExp(`USING (COVERING )?INDEX ${waitingOrders[order].index} \\(${column}=\\? AND priority>\\?\\)`)),
        expect.stringMatching(new RegExp(`USING (COVERING )?INDEX ${waitingOrders[order].index} \\(${column}=\\? AND priority=\\? AND \\(run_at,id\\)<\\(\\?,\\?\\)\\)`)),
      ]);
      expect(plan.some((line) => line.startsWith('SCAN jobs')), order).toBe(false);
    }
  });
});
