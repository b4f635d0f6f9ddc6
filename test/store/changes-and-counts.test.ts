import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs, promoteDueJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob, retryJob } from '@/store/finish';
import { cancelJob, deleteJobs, retryJobs } from '@/store/admin';
import { recordProgress } from '@/store/progress';
import { pauseQueue, resumeQueue } from '@/store/queues';
import { deleteFinishedJobs } from '@/store/cleanup';
import { changeFeedBounds, pruneChanges, readChanges } from '@/store/changes';
import { foldBounds, foldChanges } from '@/store/fold';
import { oldestReadyJob, readJobCounts, readJobMinutes, runTimeBucketsMs } from '@/store/stats';
import { countByState } from '@/store/queries';
import { reapAllRunning } from '../helpers/leases';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1, 10, 0);
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'q', priority: 0, params: '{}', maxAttempts: 3,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});
const claim = async (engine: Engine, queues: string[] = [], now = t0, limit = 10) =>
  claimJobs(engine, { workerId: 'w', queues, limit, now, leaseMs: 1000 });
const owner = (id: string, attempt = 1) => ({ jobId: id, workerId: 'w', attempt });

/** What the triggers keep, against a count of the jobs table itself. */
async function expectCountsMatchTable(engine: Engine) {
  await foldChanges(engine);
  const kept = (await readJobCounts(engine)).map((r) => `${r.queue}/${r.state}/${r.waiting}=${r.n}`).sort();
  const counted = (await engine.all<{ key: string }>(
    `SELECT queue || '/' || state || '/' || (CASE WHEN state = 'pending' THEN scheduled ELSE 0 END) || '=' || count(*) AS key
     FROM jobs GROUP BY queue, state, CASE WHEN state = 'pending' THEN scheduled ELSE 0 END`,
  )).map((r) => r.key).sort();
  expect(kept).toEqual(counted);
  // countByState (the home page's counts) reads them too.
  const perState = await engine.all<{ state: string; n: number }>('SELECT state, count(*) AS n FROM jobs GROUP BY state');
  expect(await countByState(engine)).toEqual({ pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, ...Object.fromEntries(perState.map((r) => [r.state, r.n])) });
}

describe('the counts kept by the triggers', () => {
  it('match a count of the jobs table after every kind of transition: enqueue, claim, progress, complete, retry, fail, cancel, pause, resume, retry by hand, take-back, delete, cleanup', async () => {
    const engine = await db.engine();
    await engine.run('DELETE FROM jobs');
    const [a, b, c, d, e, delayed, other] = [job(), job(), job(), job(), job(), job({ runAt: t0 + 60_000 }), job({ queue: 'other' })];
    await enqueueJobs(engine, [a, b, c, d, e, delayed, other], t0);
    await expectCountsMatchTable(engine);

    expect((await claim(engine, ['q'], t0, 4)).length).toBe(4);
    await expectCountsMatchTable(engine);
    await recordProgress(engine, owner(a.id), [{ percent: 50, message: 'half', at: t0 + 10 }]);
    await completeJob(engine, owner(a.id), { result: '{}', now: t0 + 20, logs: [] });
    await retryJob(engine, owner(b.id), { outcome: 'failed', error: { message: 'boom', name: 'Error' }, runAt: t0 + 5_000, now: t0 + 20, logs: [] });
    await endJob(engine, owner(c.id), { state: 'failed', outcome: 'failed', error: { message: 'bad', name: 'Error' }, now: t0 + 20, logs: [] });
    await cancelJob(engine, d.id, t0 + 20); // running: cancel requested
    await expectCountsMatchTable(engine);

    await pauseQueue(engine, 'q', t0 + 30);
    await expectCountsMatchTable(engine);
    await resumeQueue(engine, 'q');
    await promoteDueJobs(engine, t0 + 60_000);
    await expectCountsMatchTable(engine);

    await retryJobs(engine, [c.id], t0 + 40);
    await cancelJob(engine, e.id, t0 + 40); // pending: cancelled at once
    await reapAllRunning(engine, t0 + 120_000);
    await expectCountsMatchTable(engine);

    await deleteJobs(engine, [other.id]);
    await deleteFinishedJobs(engine, ['completed', 'failed', 'cancelled'], t0 + 1_000_000);
    await expectCountsMatchTable(engine);
  });

  it('stay right when a job is deleted before its last change was folded into a state no count row has yet', async () => {
    // Found on tursodb: a delayed job cancelled and cleaned up before any fold left "cancelled: 1"
    // for good, since the delete's decrement found no cancelled row to take from and was dropped.
    const engine = await db.engine();
    await engine.run('DELETE FROM jobs');
    await foldChanges(engine);
    await engine.run('DELETE FROM job_counts');
    const delayed = job({ queue: 'fresh', runAt: t0 + 3_600_000 });
    await enqueueJobs(engine, [delayed], t0);
    await cancelJob(engine, delayed.id, t0 + 1); // pending -> cancelled, not folded yet
    expect(await deleteFinishedJobs(engine, ['cancelled'], t0 + 10)).toBe(1);
    await expectCountsMatchTable(engine);
    expect(await engine.all(`SELECT state, n FROM job_counts WHERE queue = 'fresh' AND n <> 0`)).toEqual([]);
  });
});

describe('the change feed', () => {
  it('records each change of state and progress in order, not lease renewals, and ids go on growing after a prune', async () => {
    const engine = await db.engine();
    const { newest: before } = await changeFeedBounds(engine);
    const x = job();
    await enqueueJobs(engine, [x], t0);
    await claim(engine, ['q'], t0, 1);
    await engine.run('UPDATE jobs SET locked_until = locked_until + 1 WHERE id = ?', [x.id]); // a lease renewal
    await recordProgress(engine, owner(x.id), [{ percent: 10, message: null, at: t0 }, { percent: 30, message: null, at: t0 }]);
    await retryJob(engine, owner(x.id), { outcome: 'failed', error: { message: 'boom', name: 'Error' }, runAt: t0, now: t0, logs: [] });
    await claim(engine, ['q'], t0, 1);
    await completeJob(engine, owner(x.id, 2), { result: '1', now: t0 + 5, logs: [] });

    const changes = await readChanges(engine, before, 100, x.id);
    expect(changes.map((c) => [c.kind, c.state, c.progress, c.attempt])).toEqual([
      ['enqueued', 'pending', 0, 0],
      ['started', 'running', 0, 1],
      ['progress', 'running', 30, 1], // one batch of reports: the job row changes once
      ['retrying', 'pending', 30, 1],
      ['started', 'running', 0, 2],
      ['completed', 'completed', 100, 2],
    ]);
    expect(changes.map((c) => c.id)).toEqual([...changes.map((c) => c.id)].sort((p, q) => p - q));

    const { newest } = await changeFeedBounds(engine);
    const { folded } = await foldBounds(engine);
    expect(folded).toBeLessThan(before + 1); // this test's changes are not folded yet
    await pruneChanges(engine, Number.MAX_SAFE_INTEGER, 0);
    expect((await changeFeedBounds(engine)).oldest).toBe(folded + 1); // so they stay
    await foldChanges(engine);
    await pruneChanges(engine, Number.MAX_SAFE_INTEGER, 0); // keep nothing it may drop
    expect(await changeFeedBounds(engine)).toEqual({ newest, oldest: newest });
    await enqueueJobs(engine, [job()], t0);
    expect((await changeFeedBounds(engine)).newest).toBe(newest + 1);
  });
});

describe('the per-minute stats', () => {
  it('count completions, failures and cancels in the minute they happened (retries in the database\'s minute), with a histogram of run times', async () => {
    const engine = await db.engine();
    const minute = t0 + 7 * 60_000;
    const [fast, slow, failing, retried] = [job({ name: 'm' }), job({ name: 'm' }), job({ name: 'm' }), job({ name: 'm' })];
    await enqueueJobs(engine, [fast, slow, failing, retried], minute);
    await claim(engine, ['q'], minute, 10);
    await completeJob(engine, owner(fast.id), { result: null, now: minute + 3, logs: [] }); // 3 ms
    await completeJob(engine, owner(slow.id), { result: null, now: minute + 700, logs: [] }); // 700 ms
    await endJob(engine, owner(failing.id), { state: 'failed', outcome: 'failed', error: { message: 'x', name: 'Error' }, now: minute + 5, logs: [] });
    await retryJob(engine, owner(retried.id), { outcome: 'failed', error: { message: 'x', name: 'Error' }, runAt: minute + 999_999, now: minute + 5, logs: [] });

    await foldChanges(engine);
    const rows = (await readJobMinutes(engine, minute)).filter((r) => r.name === 'm');
    // An attempt that goes back to wait has no end time on the job: it counts in the database's own minute.
    expect(rows.map((r) => r.retried)).toEqual([0, 1]);
    expect(rows[0]).toMatchObject({ minute, queue: 'q', completed: 2, failed: 1, cancelled: 0, retried: 0, runMsTotal: 703 });
    const expected = new Array(runTimeBucketsMs.length + 1).fill(0);
    expected[runTimeBucketsMs.findIndex((b) => 3 <= b)] += 1;
    expected[runTimeBucketsMs.findIndex((b) => 700 <= b)] += 1;
    expect(rows[0].histogram).toEqual(expected);
    await reapAllRunning(engine, minute + 120_000);
  });
});

describe('the triggers', () => {
  it('never fail the change they follow: a completion written by hand without its times still commits, and counts without a run time', async () => {
    const engine = await db.engine();
    const bare = job({ name: 'by-hand' });
    await enqueueJobs(engine, [bare], t0);
    await claim(engine, ['q'], t0, 1);
    await engine.run(`UPDATE jobs SET state = 'completed' WHERE id = ?`, [bare.id]);
    await engine.run(`UPDATE jobs SET state = 'failed', started_at = NULL, completed_at = NULL WHERE id = ?`, [bare.id]);
    expect((await engine.all<{ state: string }>('SELECT state FROM jobs WHERE id = ?', [bare.id]))[0].state).toBe('failed');
    await expectCountsMatchTable(engine);
  });
});

describe('the oldest ready job of a queue', () => {
  it('is the earliest due across every priority, not the first one a claim would take', async () => {
    const engine = await db.engine();
    const old = job({ queue: 'age', priority: -5, runAt: t0 - 50_000 });
    await enqueueJobs(engine, [job({ queue: 'age', priority: 10, runAt: t0 - 1_000 }), job({ queue: 'age', priority: 0, runAt: t0 - 2_000 }), old], t0);
    expect(await oldestReadyJob(engine, 'age')).toEqual({ id: old.id, runAt: t0 - 50_000 });
    expect(await oldestReadyJob(engine, 'nothing-here')).toBeNull();
  });
});
