import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob, retryJob } from '@/store/finish';
import { listRunningLeases, reapLeases, renewLeases } from '@/store/lease';
import { reapAllRunning } from '../helpers/leases';
import { recordProgress } from '@/store/progress';
import { getJobDetail } from '@/store/queries';
import { cancelJob } from '@/store/admin';
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
  // A finished job has a completed_at: migration 0004's per-minute trigger reads it.
  await (await db.engine()).run(`UPDATE jobs SET state = 'completed', completed_at = ?, locked_by = NULL WHERE state IN ('pending', 'running')`, [t0]);
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
    const reaped = await reapAllRunning(engine, t0 + leaseMs + 1);
    expect(reaped).toEqual([{ id: j.id, state: 'pending', attempts: 1, lostBy: 'worker-a' }]);
    const second = await claimOne(engine, 'worker-b', t0 + leaseMs + 2);
    expect(second).toMatchObject({ id: j.id, attempts: 2, lockedBy: 'worker-b' });

    // worker-a wakes up: every write it tries is refused and changes nothing.
    const stale = { jobId: j.id, workerId: 'worker-a', attempt: 1 };
    expect(await recordProgress(engine, stale, [{ percent: 50, message: 'stale', at: t0 + 3 }])).toBe(false);
    expect(await completeJob(engine, stale, { result: '"stale"', now: t0 + 4, logs: [] })).toBeNull();
    expect((await renewLeases(engine, { workerId: 'worker-a', attempts: [{ jobId: j.id, attempt: 1 }], now: t0 + 5, leaseMs })).renewed).toEqual(new Set());

    expect(await completeJob(engine, { jobId: j.id, workerId: 'worker-b', attempt: 2 }, { result: '"fresh"', now: t0 + 6, logs: [] })).toBe('completed');
    const detail = await getJobDetail(engine, j.id);
    expect(detail).toMatchObject({ state: 'completed', result: '"fresh"', attempts: 2, lockedBy: null, progress: 100 });
    expect(detail.attemptHistory.map((a) => [a.attempt, a.outcome, a.workerId])).toEqual([
      [1, 'lost', 'worker-a'],
      [2, 'completed', 'worker-b'],
    ]);
    expect(detail.progressHistory).toEqual([]);
  });

  it('an attempt taken over and claimed again by the same worker cannot write for the new attempt', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    await reapAllRunning(engine, t0 + 5_000); // its own reaper took it back while its heartbeats failed
    expect(await claimOne(engine, 'w', t0 + 5_001)).toMatchObject({ id: j.id, attempts: 2, lockedBy: 'w' });

    // Attempt 1 still runs in the same worker: the same worker id no longer lets it through.
    const first = { jobId: j.id, workerId: 'w', attempt: 1 };
    expect(await recordProgress(engine, first, [{ percent: 90, message: 'attempt 1', at: t0 + 5_002 }])).toBe(false);
    expect((await renewLeases(engine, { workerId: 'w', attempts: [{ jobId: j.id, attempt: 1 }], now: t0 + 5_003, leaseMs })).renewed).toEqual(new Set());
    expect(await completeJob(engine, first, { result: '{"attempt":1}', now: t0 + 5_004, logs: [] })).toBeNull();

    const second = { jobId: j.id, workerId: 'w', attempt: 2 };
    expect(await recordProgress(engine, second, [{ percent: 40, message: 'attempt 2', at: t0 + 5_005 }])).toBe(true);
    expect(await completeJob(engine, second, { result: '{"attempt":2}', now: t0 + 5_006, logs: [] })).toBe('completed');
    const detail = await getJobDetail(engine, j.id);
    expect(detail.result).toBe('{"attempt":2}');
    expect(detail.attemptHistory.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'lost'], [2, 'completed']]);
    expect(detail.progressHistory.map((p) => [p.attempt, p.message])).toEqual([[2, 'attempt 2']]);
  });

  it('a second finisher does nothing once the job is completed', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    const owner = { jobId: j.id, workerId: 'w', attempt: 1 };
    expect(await completeJob(engine, owner, { result: '1', now: t0, logs: [] })).toBe('completed');
    expect(await completeJob(engine, owner, { result: '2', now: t0, logs: [] })).toBeNull();
    expect(await endJob(engine, owner, { state: 'failed', outcome: 'failed', error: { name: 'E', message: 'late' }, now: t0, logs: [] })).toBeNull();
    const detail = await getJobDetail(engine, j.id);
    expect(detail).toMatchObject({ state: 'completed', result: '1', error: null });
    expect(detail.attemptHistory).toHaveLength(1);
  });

  it('renewing extends only the attempts asked for, never another job the same worker id still holds', async () => {
    const engine = await db.engine();
    const tracked = job({ queue: 'lease-test' });
    const abandoned = job({ queue: 'lease-test' });
    const theirs = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [tracked, abandoned, theirs], t0);
    await claimOne(engine, 'me', t0);
    await claimOne(engine, 'me', t0); // its settle gave up: the worker no longer tracks it
    await claimOne(engine, 'them', t0);
    const renewal = await renewLeases(engine, { workerId: 'me', attempts: [{ jobId: tracked.id, attempt: 1 }, { jobId: theirs.id, attempt: 1 }], now: t0 + 900, leaseMs });
    expect(renewal.renewed).toEqual(new Set([`${tracked.id}#1`]));
    expect((await getJobDetail(engine, tracked.id)).lockedUntil).toBe(t0 + 1_900);
    expect((await getJobDetail(engine, abandoned.id)).lockedUntil).toBe(t0 + leaseMs);
  });

  it('a reaper takes back a lease only as it saw it: a renewal that landed since wins', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    const seen = await listRunningLeases(engine);
    await renewLeases(engine, { workerId: 'w', attempts: [{ jobId: j.id, attempt: 1 }], now: t0, leaseMs }); // same now: still moves locked_until
    expect(await reapLeases(engine, seen, t0 + 10_000)).toEqual([]);
    expect(await getJobDetail(engine, j.id)).toMatchObject({ state: 'running', lockedUntil: t0 + leaseMs + 1 });
  });

  it('a lease lost on the last attempt fails the job instead of retrying it, and counts in its schedule', async () => {
    const engine = await db.engine();
    await engine.run(`INSERT INTO cron_jobs (name, job_name, cron, created_at, updated_at) VALUES ('lease-sched', 'demo', '* * * * *', 0, 0)`);
    const j = job({ queue: 'lease-test', maxAttempts: 1, scheduleName: 'lease-sched' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    expect(await reapAllRunning(engine, t0 + 5_000)).toEqual([{ id: j.id, state: 'failed', attempts: 1, lostBy: 'w' }]);
    expect(await getJobDetail(engine, j.id)).toMatchObject({ state: 'failed', completedAt: t0 + 5_000, error: 'Lease expired: worker w stopped renewing it' });
    expect(await engine.all(`SELECT runs_failed FROM cron_jobs WHERE name = 'lease-sched'`)).toEqual([{ runs_failed: 1 }]);
  });

  it('a cancel acknowledged while the job\'s worker is dead ends the job cancelled when its lease is taken back', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'dead-worker', t0);
    expect(await cancelJob(engine, j.id, t0 + 1)).toBe('cancelling');
    expect(await reapAllRunning(engine, t0 + 5_000)).toEqual([{ id: j.id, state: 'cancelled', attempts: 1, lostBy: 'dead-worker' }]);
    expect(await claimOne(engine, 'next-worker', t0 + 5_001)).toBeUndefined();
    expect(await getJobDetail(engine, j.id)).toMatchObject({ state: 'cancelled', cancelRequested: 0, completedAt: t0 + 5_000 });
  });
});

describe('cancel while running', () => {
  it('a job cancelled while its attempt fails is not retried: it ends cancelled, and the flag is cleared', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    expect(await cancelJob(engine, j.id, t0 + 1)).toBe('cancelling');
    const owner = { jobId: j.id, workerId: 'w', attempt: 1 };
    expect(await retryJob(engine, owner, { outcome: 'failed', error: { name: 'E', message: 'boom' }, runAt: t0 + 2, now: t0 + 2, logs: [] })).toBe('cancelled');
    expect(await claimOne(engine, 'w', t0 + 3)).toBeUndefined();
    expect(await getJobDetail(engine, j.id)).toMatchObject({ state: 'cancelled', cancelRequested: 0, completedAt: t0 + 2 });
  });

  it('a job that completes after a cancel was asked for stays completed, with the flag cleared', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    await cancelJob(engine, j.id, t0 + 1);
    expect(await completeJob(engine, { jobId: j.id, workerId: 'w', attempt: 1 }, { result: '1', now: t0 + 2, logs: [] })).toBe('completed');
    expect(await getJobDetail(engine, j.id)).toMatchObject({ state: 'completed', cancelRequested: 0 });
  });

  it('an attempt interrupted by a shutdown gives its attempt back: attempts never pass max_attempts', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test', maxAttempts: 1 });
    await enqueueJobs(engine, [j], t0);
    for (let round = 1; round <= 3; round++) {
      const claimed = await claimOne(engine, 'w', t0 + round);
      expect(claimed).toMatchObject({ id: j.id, attempts: round });
      const error = { name: 'WorkerShutdownError', message: 'shut down' };
      expect(await retryJob(engine, { jobId: j.id, workerId: 'w', attempt: round }, { outcome: 'interrupted', error, runAt: t0 + round, now: t0 + round, logs: [] })).toBe('pending');
      const detail = await getJobDetail(engine, j.id);
      expect(detail.attempts).toBeLessThanOrEqual(detail.maxAttempts);
    }
  });
});

describe('finishing an attempt', () => {
  it('records each attempt with its outcome, error, stack and logs; retry sets the next run time', async () => {
    const engine = await db.engine();
    const j = job({ queue: 'lease-test' });
    await enqueueJobs(engine, [j], t0);
    await claimOne(engine, 'w', t0);
    const owner = { jobId: j.id, workerId: 'w', attempt: 1 };
    const error = { name: 'Error', message: 'boom', stack: 'Error: boom\n  at here' };
    const logs = [{ at: t0, level: 'info' as const, message: 'hello', data: { n: 1 } }];
    expect(await retryJob(engine, owner, { outcome: 'failed', error, runAt: t0 + 5_000, now: t0 + 10, logs })).toBe('pending');
    let detail = await getJobDetail(engine, j.id);
    expect(detail).toMatchObject({ state: 'pending', scheduled: 1, runAt: t0 + 5_000, error: 'boom', lockedBy: null });
    expect(detail.attemptHistory[0]).toMatchObject({ attempt: 1, outcome: 'failed', error: 'boom', errorStack: error.stack, logs: JSON.stringify(logs) });

    await engine.run(`UPDATE jobs SET scheduled = 0 WHERE id = ?`, [j.id]);
    await claimOne(engine, 'w', t0 + 5_000);
    const second = { ...owner, attempt: 2 };
    expect(await recordProgress(engine, second, [{ percent: 40, message: 'step 2', at: t0 + 5_001 }])).toBe(true);
    expect(await endJob(engine, second, { state: 'failed', outcome: 'timed_out', error: { name: 'JobTimeoutError', message: 'timed out' }, now: t0 + 6_000, logs: [] })).toBe('failed');
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
    await completeJob(engine, { jobId: claimed.id, workerId: 'w', attempt: claimed.attempts }, { result: null, now: t0, logs: [] });
    expect(await enqueueJobs(engine, [again], t0)).toEqual([again.id]);
  });
});
