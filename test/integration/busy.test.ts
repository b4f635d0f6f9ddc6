import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { root, spawnProcess, spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { openEngine } from '@/db/client';
import { enqueueJobs } from '@/store/enqueue';
import { getJobDetail } from '@/store/queries';
import { newJobId } from '@/core/ids';
import { isJobsError } from '@/core/errors';

const db = useTempDatabase({ JOBS_BUSY_TIMEOUT_MS: '200' });
const holdLock = (holdMs: number, times = 1, gapMs = 0) =>
  spawnProcess([path.join(root, 'test/helpers/hold-write-lock.mjs'), db.file, String(holdMs), String(times), String(gapMs)]);
const countJobs = async () => Number((await (await db.engine()).all<{ n: number }>('SELECT count(*) AS n FROM jobs'))[0].n);

describe('another process holding the write lock', () => {
  it('longer than the busy timeout: enqueue fails with a clear error and writes nothing; afterwards it works', async () => {
    const before = await countJobs();
    const locker = holdLock(1_500);
    await locker.waitForOutput('locked');
    const error = await DemoJob.later({ steps: 1 }).catch((e) => e);
    expect(isJobsError(error) && error.code).toBe('database_busy');
    expect(error.message).toBe('The database is locked by another process; gave up after waiting 200 ms (JOBS_BUSY_TIMEOUT_MS). Nothing was written.');
    expect(await locker.exited).toBe(0);
    expect(await countJobs()).toBe(before);
    await DemoJob.later({ steps: 1 });
    expect(await countJobs()).toBe(before + 1);
  });

  it('shorter than the busy timeout: the write waits for the lock and then lands', async () => {
    const patient = await openEngine(db.url, undefined, 10_000);
    try {
      const locker = holdLock(500);
      await locker.waitForOutput('locked');
      const id = newJobId();
      const job = { id, name: 'demo', queue: 'patient', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null };
      // Without waiting, SQLite would refuse this insert at once with SQLITE_BUSY: the lock is held.
      await enqueueJobs(patient, [job], Date.now());
      expect(await locker.exited).toBe(0);
      expect(locker.output()).toBe('locked\nreleased\n');
      expect((await getJobDetail(await db.engine(), id)).queue).toBe('patient');
    } finally {
      await patient.close();
    }
  });

  it('while a write waits for the lock, this process goes on: its timers (a worker\'s heartbeats, lease checks) still fire', async () => {
    const patient = await openEngine(db.url, undefined, 10_000);
    try {
      const locker = holdLock(800);
      await locker.waitForOutput('locked');
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 20);
      const job = { id: newJobId(), name: 'demo', queue: 'patient', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null };
      const waited = enqueueJobs(patient, [job], Date.now());
      const ticksWhileLocked = Number(await waitFor(() => (locker.child.exitCode === null ? false : ticks + 1), 'the locker to let go')) - 1;
      await waited;
      clearInterval(timer);
      // SQLite's own busy wait would hold the event loop until the lock went: no tick at all in that time.
      expect(ticksWhileLocked, 'timer ticks while the write waited (every 20 ms for 800 ms)').toBeGreaterThan(10);
      expect(locker.output()).toBe('locked\nreleased\n');
    } finally {
      await patient.close();
    }
  });

  it('a long-running worker rides out repeated lock contention and loses no acknowledged job', async () => {
    const worker = spawnWorker({ DATABASE_URL: db.url, JOBS_BUSY_TIMEOUT_MS: '100', JOBS_LEASE_MS: '3000', JOBS_CONCURRENCY: '4' });
    await worker.waitForOutput('started');
    const locker = holdLock(400, 8, 150);
    await locker.waitForOutput('locked');
    const acknowledged: string[] = [];
    let refused = 0;
    while (locker.child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 10)); // a steady trickle, a few hundred jobs in all
      try {
        acknowledged.push(await DemoJob.later({ steps: 1, delayMs: 1 }, { queue: 'contended' }));
      } catch (error) {
        if (!(isJobsError(error) && error.code === 'database_busy')) throw error;
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(0); // the contention was real
    expect(acknowledged.length).toBeGreaterThan(0);
    const engine = await db.engine();
    await waitFor(async () => {
      const rows = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE queue = 'contended' AND state = 'completed'`);
      return Number(rows[0].n) === acknowledged.length;
    }, `all ${acknowledged.length} acknowledged jobs to complete`);
    const rows = await engine.all<{ id: string; completed: number }>(
      `SELECT j.id, (SELECT count(*) FROM job_attempts a WHERE a.job_id = j.id AND a.outcome = 'completed') AS completed
       FROM jobs j WHERE j.queue = 'contended'`,
    );
    expect(rows.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
    expect(rows.every((r) => Number(r.completed) === 1)).toBe(true);
    expect(worker.child.exitCode).toBeNull(); // still running
    expect(await stopProcess(worker)).toBe(0);
  });
});
