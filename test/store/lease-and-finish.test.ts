import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob, retryJob } from '@/store/finish';
import { reapExpiredLeases, renewLeases } from '@/store/lease';
import { recordProgress } from '@/store/progress';
import { getJobDetail } from '@/store/queries';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1);
const leaseMs = 1_000;

function job(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{}', maxAttempts: 3,
    backoff: null, timeoutMs: 60_000, runAt: t0, idempotencyKey: null, ...overrides,
  };
}

// Each test starts with no live jobs: reaping and claiming look at the whole table.
beforeEach(async () => {
  await (await db.engine()).run(`UPDATE jobs SET state = 'completed', locked_by = NULL WHERE state IN ('pending', 'running')`);
});

async function claimOne(engine: Engine, workerId: string, now: number) {
  const [claimed] = await claimJobs(engine, { workerId, queues: ['lease-test'], limit: 1, now, leaseMs });
  return claimed;
}

describe('leases', () => {
  it('a stale worker cannot complete a job after its expired lease was taken over', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'worker-a', t0);

    // worker-a stalls past its lease; the reaper takes the job back and worker-b claims it.
    expect(await reapExpiredLeases(engine, t0 + leaseMs - 1)).toEqual([]);
    const reaped = await reapExpiredLeases(engine, t0 + leaseMs + 1);
    expect(reaped).toEqual([{ id: j.id, state: 'pending', attempts: 1, lostBy: 'worker-a' }]);
    const second = await claimOne(engine, 'worker-b', t0 + leaseMs + 2);
    expect(second).toMatchObject({ id: j.id, attempts: 2, lockedBy: 'worker-b' });

    // worker-a wakes up: every write it tries is refused and changes nothing.
    expect(await recordProgress(engine, { jobId: j.id, workerId: 'worker-a', percent: 50, message: 'stale', now: t0 + 3 })).toBe(false);
    expect(await completeJob(engine, { jobId: j.id, workerId: 'worker-a' }, { result: '"stale"', now: t0 + 4, logs: [] })).toBe(false);
    expect((await renewLeases(engine, { workerId: 'worker-a', now: t0 + 5, leaseMs })).owned).toEqual(new Set());

    expect(await completeJob(engine, { jobId: j.id, workerId: 'worker-b' }, { result: '"fresh"', now: t0 + 6, logs: [] })).toBe(true);
    const detail = await getJobDetail(engine, j.id);
    expect(detail).toMatchObject({ state: 'completed', result: '"fresh"', attempts: 2, lockedBy: null, progress: 100 });
    expect(detail.attemptHistory.map((a) => [a.attempt, a.outcome, a.workerId])).toEqual([
      [1, 'lost', 'worker-a'],
      [2, 'completed', 'worker-b'],
    ]);
    expect(detail.progressHistory).toEqual([]);
  });

  it('a second finisher does nothing once the job is completed', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    const owner = { jobId: j.id, workerId: 'w' };
    expect(await completeJob(engine, owner, { result: '1', now: t0, logs: [] })).toBe(true);
    expect(await completeJob(engine, owner, { result: '2', now: t0, logs: [] })).toBe(false);
    expect(await endJob(engine, owner, { state: 'failed', outcome: 'failed', error: { name: 'E', message: 'late' }, now: t0, logs: [] })).toBe(false);
    const detail = await getJobDetail(engine, j.id);
    expect(detail).toMatchObject({ state: 'completed', result: '1', error: null });
    expect(detail.attemptHistory).toHaveLength(1);
  });

  it('renewing extends only the worker\'s own running jobs and reports which it still holds', async () => {
    const engine = await db.engine();
    const mine = job({ queue: 'lease-test' });
    const theirs = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [mine, theirs], t0);
    await claimOne(engine, 'me', t0);
    await claimOne(engine, 'them', t0);
    expect((await renewLeases(engine, { workerId: 'me', now: t0 + 900, leaseMs })).owned).toEqual(new Set([mine.id]));
    const reaped = await reapExpiredLeases(engine, t0 + 1_500);
    expect(reaped.map((r) => r.id)).toEqual([theirs.id]);
    expect((await getJobDetail(engine, mine.id)).lockedUntil).toBe(t0 + 1_900);
  });

  it('a lease lost on the last attempt fails the job instead of retrying it', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test', maxAttempts: 1 });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    expect(await reapExpiredLeases(engine, t0 + 5_000)).toEqual([{ id: j.id, state: 'failed', attempts: 1, lostBy: 'w' }]);
    expect(await getJobDetail(engine, j.id)).toMatchObject({ state: 'failed', completedAt: t0 + 5_000, error: 'Lease expired: worker w stopped renewing it' });
  });
});

describe('finishing an attempt', () => {
  it('records each attempt with its outcome, error, stack and logs; retry sets the next run time', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    const owner = { jobId: j.id, workerId: 'w' };
    const error = { name: 'Error', message: 'boom', stack: 'Error: boom\n  at here' };
    const logs = [{ at: t0, level: 'info' as const, message: 'hello', data: { n: 1 } }];
    expect(await retryJob(engine, owner, { outcome: 'failed', error, runAt: t0 + 5_000, now: t0 + 10, logs })).toBe(true);
    let detail = await getJobDetail(engine, j.id);
    expect(detail).toMatchObject({ state: 'pending', scheduled: 1, runAt: t0 + 5_000, error: 'boom', lockedBy: null });
    expect(detail.attemptHistory[0]).toMatchObject({ attempt: 1, outcome: 'failed', error: 'boom', errorStack: error.stack, logs: JSON.stringify(logs) });

    await engine.run(`UPDATE jobs SET scheduled = 0 WHERE id = ?`, [j.id]);
    await claimOne(engine, 'w', t0 + 5_000);
    expect(await recordProgress(engine, { jobId: j.id, workerId: 'w', percent: 40, message: 'step 2', now: t0 + 5_001 })).toBe(true);
    expect(await endJob(engine, owner, { state: 'failed', outcome: 'timed_out', error: { name: 'JobTimeoutError', message: 'timed out' }, now: t0 + 6_000, logs: [] })).toBe(true);
    detail = await getJobDetail(engine, j.id);
    expect(detail).toMatchObject({ state: 'failed', attempts: 2, completedAt: t0 + 6_000, progress: 40, progressMessage: 'step 2' });
    expect(detail.attemptHistory.map((a) => a.outcome)).toEqual(['failed', 'timed_out']);
    expect(detail.progressHistory).toMatchObject([{ attempt: 2, percent: 40, message: 'step 2' }]);
  });
});

describe('idempotency keys', () => {
  it('a second enqueue with the key of a live job returns that job; after it ends the key is free again', async () => {
    const engine = await db.engine();
    const first = job({ queue: 'idem', idempotencyKey: 'order-42' });
    const again = job({ queue: 'idem', idempotencyKey: 'order-42' });
    expect(await enqueueJobs(engine, [first], t0)).toEqual([first.id]);
    expect(await enqueueJobs(engine, [again], t0)).toEqual([first.id]);
    expect(await engine.all(`SELECT id FROM jobs WHERE idempotency_key = 'order-42'`)).toHaveLength(1);

    const [claimed] = await claimJobs(engine, { workerId: 'w', queues: ['idem'], limit: 1, now: t0, leaseMs });
    expect(await enqueueJobs(engine, [again], t0)).toEqual([first.id]); // running still holds it
    await completeJob(engine, { jobId: claimed.id, workerId: 'w' }, { result: null, now: t0, logs: [] });
    expect(await enqueueJobs(engine, [again], t0)).toEqual([again.id]);
  });
});
