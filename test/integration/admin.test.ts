import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { runJobsCli, spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { getJob, getJobDetail } from '@/store/queries';

const db = useTempDatabase();
const env = () => ({ DATABASE_URL: db.url });
const cli = (...args: string[]) => runJobsCli(args, env());
const stateOf = async (id: string) => (await getJob(await db.engine(), id))?.state;

describe('bin/jobs cancel', () => {
  it('cancels a pending job at once, and refuses a finished one', async () => {
    const id = await DemoJob.later({ steps: 1 }, { queue: 'cancel-pending' });
    const result = await cli('cancel', id.slice(0, 30), '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ id, result: 'cancelled' });
    expect(await getJob(await db.engine(), id)).toMatchObject({ state: 'cancelled', error: 'Cancelled before it ran' });
    const again = await cli('cancel', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is already cancelled; only a pending or running job can be cancelled/);
  });

  it('a running job sees its signal abort, ends cancelled, and is not retried', async () => {
    const worker = spawnWorker({ ...env(), JOBS_POLL_INTERVAL_MS: '60000' });
    await worker.waitForOutput('started');
    const id = await DemoJob.later({ steps: 600, delayMs: 100 }, { maxAttempts: 5 });
    await waitFor(async () => ((await getJob(await db.engine(), id))?.progress ?? 0) > 0, 'the job to make progress');
    const result = await cli('cancel', id, '--json');
    expect(JSON.parse(result.stdout)).toEqual({ id, result: 'cancelling' });
    await waitFor(async () => (await stateOf(id)) === 'cancelled', 'the worker to stop the job');
    const job = await getJobDetail(await db.engine(), id);
    expect(job).toMatchObject({ attempts: 1, lockedBy: null });
    expect(job.attemptHistory.map((a) => a.outcome)).toEqual(['cancelled']);
    expect(await stopProcess(worker)).toBe(0);
  });
});

describe('bin/jobs retry', () => {
  it('puts a failed job back with fresh attempts, keeping its attempt history, and a worker completes it', async () => {
    const id = await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 1 }, { maxAttempts: 1, queue: 'retry' });
    const drain = () => cli('worker', '--queue', 'retry', '--drain');
    expect((await drain()).code).toBe(0);
    expect(await getJob(await db.engine(), id)).toMatchObject({ state: 'failed', attempts: 1, maxAttempts: 1 });

    const shown = await cli('retry', '--failed', '--queue', 'retry', '--show', '--json');
    expect(JSON.parse(shown.stdout)).toEqual([id]);
    expect(await stateOf(id)).toBe('failed'); // --show changes nothing

    const retried = await cli('retry', id.slice(0, 28), '--json');
    expect(JSON.parse(retried.stdout)).toEqual({ retried: [id], skipped: [] });
    expect(await getJob(await db.engine(), id)).toMatchObject({ state: 'pending', maxAttempts: 2, completedAt: null });
    expect((await drain()).code).toBe(0);
    const job = await getJobDetail(await db.engine(), id);
    expect(job).toMatchObject({ state: 'completed', attempts: 2 });
    expect(job.attemptHistory.map((a) => a.outcome)).toEqual(['failed', 'completed']);
  });

  it('refuses to retry a job that is not failed or cancelled, and needs an id or --failed', async () => {
    const id = await DemoJob.later({ steps: 1 }, { queue: 'retry-pending' });
    const result = await cli('retry', id);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is pending; only a failed or cancelled job can be retried/);
    expect((await cli('retry')).code).toBe(2);
    expect((await cli('retry', id, '--failed')).code).toBe(2);
  });
});

describe('bin/jobs queues', () => {
  it('a paused queue is honoured by every worker until it is resumed', async () => {
    expect((await cli('queues', 'pause', 'held')).stdout).toMatch(/paused queue held: 0 waiting job/);
    const id = await DemoJob.later({ steps: 1, delayMs: 1 }, { queue: 'held' });
    expect((await cli('worker', '--drain')).code).toBe(0);
    expect(await getJob(await db.engine(), id)).toMatchObject({ state: 'pending', scheduled: 2 });
    expect(JSON.parse((await cli('queues', '--json')).stdout)).toContainEqual({ queue: 'held', paused: true, pending: 1, running: 0, rateLimit: null });
    expect((await cli('status', id)).stdout).toContain('paused');

    expect((await cli('queues', 'resume', 'held')).stdout).toMatch(/resumed queue held: 1 job\(s\) back in line/);
    expect((await cli('worker', '--drain')).code).toBe(0);
    expect(await stateOf(id)).toBe('completed');
    expect((await cli('queues', 'stop', 'held')).code).toBe(2);
  });
});
