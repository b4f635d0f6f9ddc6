import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { getJob, getJobDetail } from '@/store/queries';

const db = useTempDatabase();
const workerEnv = (extra: Record<string, string> = {}) => ({ DATABASE_URL: db.url, JOBS_POLL_INTERVAL_MS: '60000', ...extra });
const stateOf = async (id: string) => (await getJob(await db.engine(), id))?.state;

describe('a worker process', () => {
  it('picks up a job enqueued by another process and completes it', async () => {
    const worker = spawnWorker(workerEnv());
    await worker.waitForOutput('started');
    // The poll interval is a minute: only the doorbell can wake the worker in time.
    const id = await DemoJob.later({ steps: 2, delayMs: 10, message: 'hi' });
    await waitFor(async () => (await stateOf(id)) === 'completed', 'the job to complete');
    const job = await getJobDetail(await db.engine(), id);
    expect(JSON.parse(job.result!)).toEqual({ steps: 2, attempt: 1, message: 'hi' });
    expect(job.attemptHistory.map((a) => a.outcome)).toEqual(['completed']);
    expect(job.progressHistory.map((p) => p.percent)).toEqual([50, 100]);
    expect(await stopProcess(worker)).toBe(0);
    expect(worker.output()).toMatch(/completed demo/);
  });

  it('retries a failing job with backoff until it completes', async () => {
    const worker = spawnWorker(workerEnv());
    await worker.waitForOutput('started');
    const id = await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 2 });
    await waitFor(async () => (await stateOf(id)) === 'completed', 'the job to complete after two failures');
    const job = await getJobDetail(await db.engine(), id);
    expect(job.attempts).toBe(3);
    expect(job.attemptHistory.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, 'failed', 'Demo failure 1 of 2 (failTimes)'],
      [2, 'failed', 'Demo failure 2 of 2 (failTimes)'],
      [3, 'completed', null],
    ]);
    expect(await stopProcess(worker)).toBe(0);
  });

  it('after kill -9 mid-job, another worker takes the lease over and completes the job exactly once', async () => {
    const env = workerEnv({ JOBS_LEASE_MS: '1000', JOBS_BUSY_TIMEOUT_MS: '500' });
    const first = spawnWorker(env);
    await first.waitForOutput('started');
    const id = await DemoJob.later({ steps: 20, delayMs: 100 });
    await waitFor(async () => ((await getJob(await db.engine(), id))?.progress ?? 0) >= 10, 'the job to make progress');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await stateOf(id)).toBe('running'); // still leased to the dead worker

    const second = spawnWorker(env);
    await waitFor(async () => (await stateOf(id)) === 'completed', 'the second worker to complete the job');
    const job = await getJobDetail(await db.engine(), id);
    expect(job.attempts).toBe(2);
    expect(job.attemptHistory.map((a) => a.outcome)).toEqual(['lost', 'completed']);
    expect(job.attemptHistory.filter((a) => a.outcome === 'completed')).toHaveLength(1);
    expect(JSON.parse(job.result!)).toMatchObject({ attempt: 2 });
    expect(second.output()).toMatch(/took back .* \(lease expired\): now pending/);
    expect(await stopProcess(second)).toBe(0);
  });

  it('on SIGTERM finishes its running job, takes no new one, and exits 0', async () => {
    const worker = spawnWorker(workerEnv({ JOBS_CONCURRENCY: '1' }));
    await worker.waitForOutput('started');
    const running = await DemoJob.later({ steps: 5, delayMs: 100 });
    await waitFor(async () => (await stateOf(running)) === 'running', 'the job to start');
    const waiting = await DemoJob.later({ steps: 1, delayMs: 1 });
    expect(await stopProcess(worker, 'SIGTERM')).toBe(0);
    expect(await stateOf(running)).toBe('completed');
    expect(await stateOf(waiting)).toBe('pending');
    expect(worker.output()).toMatch(/SIGTERM: finishing 1 running job/);
    expect(worker.output()).toMatch(/stopped/);
  });

  it('when the shutdown grace runs out, aborts the job and puts it back to pending for the next worker', async () => {
    const worker = spawnWorker(workerEnv({ JOBS_SHUTDOWN_GRACE_MS: '200' }));
    await worker.waitForOutput('started');
    const id = await DemoJob.later({ steps: 100, delayMs: 100 });
    await waitFor(async () => (await stateOf(id)) === 'running', 'the job to start');
    expect(await stopProcess(worker, 'SIGTERM')).toBe(0);
    const job = await getJobDetail(await db.engine(), id);
    expect(job).toMatchObject({ state: 'pending', lockedBy: null, attempts: 1 });
    expect(job.attemptHistory.map((a) => a.outcome)).toEqual(['interrupted']);
    await (await db.engine()).run(`UPDATE jobs SET state = 'cancelled' WHERE id = ?`, [id]); // keep it from the next test
  });

  it('runs a delayed job that no doorbell announced once it comes due (found by the poll)', async () => {
    const worker = spawnWorker(workerEnv({ JOBS_POLL_INTERVAL_MS: '200' }));
    await worker.waitForOutput('started');
    // Written straight to the table, as a process on another machine would: no ring reaches the worker.
    const { enqueueJobs } = await import('@/store/enqueue');
    const { newJobId } = await import('@/core/ids');
    const id = newJobId();
    const now = Date.now();
    await enqueueJobs(await db.engine(), [{
      id, name: 'demo', queue: 'default', priority: 0, params: '{"steps":1,"delayMs":1}', maxAttempts: 1,
      backoff: null, timeoutMs: 10_000, runAt: now + 300, idempotencyKey: null,
    }], now);
    await waitFor(async () => (await stateOf(id)) === 'completed', 'the delayed job to complete');
    expect(await stopProcess(worker)).toBe(0);
  });

  it('runs parallel jobs, then the job that depends on all of them, then the one after it', async () => {
    const worker = spawnWorker(workerEnv({ JOBS_CONCURRENCY: '4' }));
    await worker.waitForOutput('started');
    const parallel = await DemoJob.laterMany([1, 2, 3].map((i) => ({ steps: 1, delayMs: 20 * i, message: `part ${i}` })));
    const merge = await DemoJob.later({ steps: 1, delayMs: 1, message: 'merge' }, { dependsOn: parallel });
    const after = await DemoJob.later({ steps: 1, delayMs: 1, message: 'after' }, { dependsOn: [merge] });
    await waitFor(async () => (await stateOf(after)) === 'completed', 'the chain to finish');
    const engine = await db.engine();
    const ended = async (id: string) => (await getJob(engine, id))!;
    const mergeJob = await ended(merge);
    for (const id of parallel) expect((await ended(id)).completedAt!).toBeLessThanOrEqual(mergeJob.startedAt!);
    expect(mergeJob.completedAt!).toBeLessThanOrEqual((await ended(after)).startedAt!);
    expect(await stopProcess(worker)).toBe(0);
  });

  it('--drain exits 0 once nothing is runnable', async () => {
    const ids = await DemoJob.laterMany([{ steps: 1, delayMs: 1 }, { steps: 1, delayMs: 1 }, { steps: 1, delayMs: 1 }]);
    const { spawnProcess, root } = await import('../helpers/processes');
    const drain = spawnProcess([`${root}/src/cli/main.ts`, 'worker', '--drain', '--concurrency', '2'], workerEnv());
    expect(await drain.exited).toBe(0);
    for (const id of ids) expect(await stateOf(id)).toBe('completed');
  });
});
