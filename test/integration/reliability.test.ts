import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { root, runJobsCli, spawnProcess, spawnWorker, stopProcess, waitFor, type Spawned } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { enqueueJobs } from '@/store/enqueue';
import { getJob, getJobDetail } from '@/store/queries';
import { newJobId } from '@/core/ids';

// Each test uses its own queue, and its workers serve only that queue, so tests sharing the file never meet.
const db = useTempDatabase({ JOBS_BUSY_TIMEOUT_MS: '300' });
const base = { DATABASE_URL: db.url, JOBS_BUSY_TIMEOUT_MS: '300', JOBS_POLL_INTERVAL_MS: '100' };
const workerOn = (queue: string, env: Record<string, string> = {}) => spawnWorker({ ...base, JOBS_QUEUES: queue, ...env });
const stateOf = async (id: string) => (await getJob(await db.engine(), id))?.state;
const terminal = async (id: string) => ['completed', 'failed', 'cancelled'].includes((await stateOf(id)) ?? '');
const holdLock = (holdMs: number) => spawnProcess([path.join(root, 'test/helpers/hold-write-lock.mjs'), db.file, String(holdMs)]);
const libfaketime = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1']
  .find((file) => fs.existsSync(file));

/** A worker process running only the fixture jobs named (test/fixtures/worker.ts). */
const fixtureWorker = (jobs: string, env: Record<string, string>) =>
  spawnProcess([path.join(root, 'test/fixtures/worker.ts')], { ...base, FIXTURE_JOBS: jobs, ...env });

async function enqueueRaw(queue: string, params: string, overrides: { name?: string; maxAttempts?: number; scheduleName?: string } = {}): Promise<string> {
  const id = newJobId();
  const now = Date.now();
  await enqueueJobs(await db.engine(), [{
    id, name: overrides.name ?? 'demo', queue, priority: 0, params, maxAttempts: overrides.maxAttempts ?? 3, backoff: null, timeoutMs: 60_000,
    runAt: now, idempotencyKey: null, scheduleName: overrides.scheduleName ?? null,
  }], now);
  return id;
}

/** A job whose worker (lease 1.5 s) claimed it and was then killed with SIGKILL: its lease is left to run out. */
async function heldByDeadWorker(queue: string, enqueue: () => Promise<string>): Promise<string> {
  const worker = workerOn(queue, { JOBS_LEASE_MS: '1500' });
  await worker.waitForOutput('started');
  const id = await enqueue();
  await waitFor(async () => (await stateOf(id)) === 'running', 'the job to start');
  await stopProcess(worker, 'SIGKILL');
  return id;
}

async function stopAll(...workers: Spawned[]) {
  for (const worker of workers) await stopProcess(worker);
}

describe('attempt fencing', () => {
  it('a worker that re-claims its own expired job runs it once, and the result stored is the running attempt\'s', async () => {
    // Heartbeats fail while another process holds the write lock longer than the lease; the worker's
    // own reaper takes its jobs back, and it has free slots to claim them again. Each job's first
    // attempt would end (17 s) while its second (3 s) still runs.
    const worker = fixtureWorker('slow-first', { JOBS_QUEUES: 'fence', JOBS_LEASE_MS: '10500', JOBS_CONCURRENCY: '8' });
    await worker.waitForOutput('started');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await enqueueRaw('fence', '{}', { name: 'slow-first' }));
    await waitFor(async () => (await Promise.all(ids.map(stateOf))).every((s) => s === 'running'), 'all four to run');
    const locker = holdLock(11_000);
    await locker.waitForOutput('locked');
    expect(await locker.exited).toBe(0);
    await waitFor(async () => (await Promise.all(ids.map(terminal))).every(Boolean), 'all four to end', 90_000);
    for (const id of ids) {
      const job = await getJobDetail(await db.engine(), id);
      const completed = job.attemptHistory.filter((a) => a.outcome === 'completed');
      expect(job.state).toBe('completed');
      expect(completed).toHaveLength(1);
      expect(JSON.parse(job.result!).attempt).toBe(completed[0].attempt);
      expect(job.attempts).toBe(completed[0].attempt);
      expect(job.attemptHistory.filter((a) => a.attempt > completed[0].attempt)).toEqual([]);
    }
    await stopAll(worker);
  }, 120_000);

  it('a job whose params cannot be read fails its attempt instead of staying running while its worker lives', async () => {
    const worker = workerOn('setup', { JOBS_LEASE_MS: '1500' });
    await worker.waitForOutput('started');
    const id = await enqueueRaw('setup', 'not json', { maxAttempts: 1 });
    await waitFor(() => terminal(id), 'the job to end', 20_000);
    expect(await getJob(await db.engine(), id)).toMatchObject({ state: 'failed', lockedBy: null });
    expect((await getJob(await db.engine(), id))!.error).toMatch(/not JSON/);
    await stopAll(worker);
  });
});

describe('start-up', () => {
  it('a worker started while another process holds the write lock past the busy timeout waits for it instead of dying', async () => {
    const locker = holdLock(2_000);
    await locker.waitForOutput('locked');
    const worker = workerOn('late-start');
    expect(await locker.exited).toBe(0);
    await worker.waitForOutput('started');
    const id = await DemoJob.later({ steps: 1, delayMs: 1 }, { queue: 'late-start' });
    await waitFor(async () => (await stateOf(id)) === 'completed', 'the late worker to run a job');
    expect(worker.output()).toMatch(/registering the worker failed; trying again/);
    await stopAll(worker);
  });
});

describe('cancel', () => {
  it('a cancel acknowledged while the job\'s worker is dead ends the job cancelled, not run by the next worker', async () => {
    const id = await heldByDeadWorker('cancel-dead', () => DemoJob.later({ steps: 1, delayMs: 3_000 }, { queue: 'cancel-dead' }));
    const cancel = await runJobsCli(['cancel', id], base);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/cancelling/);
    const second = workerOn('cancel-dead', { JOBS_LEASE_MS: '1500' });
    await waitFor(() => terminal(id), 'the job to end', 30_000);
    const job = await getJobDetail(await db.engine(), id);
    expect(job).toMatchObject({ state: 'cancelled', cancelRequested: 0 });
    expect(job.attemptHistory.map((a) => a.outcome)).toEqual(['lost']);
    await stopAll(second);
  });
});

describe('telemetry', () => {
  it('a database blip inside updateProgress does not fail the job, even on its last attempt', async () => {
    const worker = workerOn('blip', { JOBS_LEASE_MS: '6000' });
    await worker.waitForOutput('started');
    const id = await DemoJob.later({ steps: 20, delayMs: 100 }, { queue: 'blip', maxAttempts: 1 });
    await waitFor(async () => ((await getJob(await db.engine(), id))?.progress ?? 0) > 0, 'the first progress report');
    const locker = holdLock(1_000); // longer than the busy timeout: progress writes fail meanwhile
    expect(await locker.exited).toBe(0);
    await waitFor(() => terminal(id), 'the job to end', 30_000);
    const job = await getJobDetail(await db.engine(), id);
    expect(job).toMatchObject({ state: 'completed', attempts: 1, progress: 100 });
    // The reports that waited were written later, in order.
    const percents = job.progressHistory.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    await stopAll(worker);
  });
});

describe('rolling deploys', () => {
  it('a worker whose registry lacks a job leaves it to a worker that has it, and the job waits visibly meanwhile', async () => {
    const partial = fixtureWorker('ping', { JOBS_QUEUES: 'deploy' });
    await partial.waitForOutput('started');
    const demos = await DemoJob.laterMany(Array.from({ length: 5 }, () => ({ steps: 1, delayMs: 1 })), { queue: 'deploy' });
    // A ping after the demos: once it has run, the partial worker has claimed past them.
    const pingId = await enqueueRaw('deploy', '{}', { name: 'ping', maxAttempts: 1 });
    await waitFor(async () => (await stateOf(pingId)) === 'completed', 'the partial worker to run its ping job');
    for (const id of demos) expect(await stateOf(id)).toBe('pending');
    const status = await runJobsCli(['status', demos[0]], base);
    expect(status.stdout).toMatch(/no live worker can run demo jobs/i);

    const full = workerOn('deploy');
    await waitFor(async () => (await Promise.all(demos.map(stateOf))).every((s) => s === 'completed'), 'the full worker to run the demos');
    await stopAll(partial, full);
  });
});

describe('clocks', () => {
  it('a worker whose wall clock is 5 s ahead takes no healthy job from another worker', async () => {
    expect(libfaketime, 'Debian\'s faketime package (libfaketime) must be installed: apt-get install faketime').toBeDefined();
    const healthy = workerOn('skew', { JOBS_LEASE_MS: '3000', JOBS_CONCURRENCY: '4' });
    await healthy.waitForOutput('started');
    const ids = await DemoJob.laterMany(Array.from({ length: 4 }, () => ({ steps: 4, delayMs: 1_000 })), { queue: 'skew' });
    await waitFor(async () => (await Promise.all(ids.map(stateOf))).every((s) => s === 'running'), 'all four to run');
    const ahead = workerOn('skew', { JOBS_LEASE_MS: '3000', LD_PRELOAD: libfaketime!, FAKETIME: '+5s', FAKETIME_DONT_RESET: '1' });
    await ahead.waitForOutput('started');
    await waitFor(async () => (await Promise.all(ids.map(terminal))).every(Boolean), 'all four to end', 60_000);
    for (const id of ids) {
      const job = await getJobDetail(await db.engine(), id);
      expect(job.attemptHistory.map((a) => a.outcome)).toEqual(['completed']);
    }
    await stopAll(healthy, ahead);
  });
});

describe('--drain', () => {
  it('waits for a failed job\'s retry instead of exiting while it waits its backoff', async () => {
    const id = await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 1 }, { queue: 'drain-retry' });
    const drain = spawnProcess([path.join(root, 'src/cli/main.ts'), 'worker', '--drain', '--queue', 'drain-retry'], base);
    expect(await drain.exited).toBe(0);
    expect(await getJob(await db.engine(), id)).toMatchObject({ state: 'completed', attempts: 2 });
  });

  it('waits for a dead worker\'s job to be taken over and run, instead of exiting while it is still running', async () => {
    const id = await heldByDeadWorker('drain-dead', () => DemoJob.later({ steps: 1, delayMs: 60_000 }, { queue: 'drain-dead' }));
    await (await db.engine()).run(`UPDATE jobs SET params = '{"steps":1,"delayMs":1}' WHERE id = ?`, [id]); // quick the second time
    const drain = spawnProcess([path.join(root, 'src/cli/main.ts'), 'worker', '--drain', '--queue', 'drain-dead'], { ...base, JOBS_LEASE_MS: '1500' });
    expect(await drain.exited).toBe(0);
    expect(await getJob(await db.engine(), id)).toMatchObject({ state: 'completed', attempts: 2 });
  });
});

describe('attempt budget', () => {
  it('attempts interrupted by shutdowns do not push attempts past max_attempts; the job still gets its one real attempt', async () => {
    const id = await DemoJob.later({ steps: 1, delayMs: 60_000 }, { queue: 'budget', maxAttempts: 1 });
    for (let round = 0; round < 2; round++) {
      const worker = workerOn('budget', { JOBS_SHUTDOWN_GRACE_MS: '100' });
      await waitFor(async () => (await stateOf(id)) === 'running', 'the job to start');
      expect(await stopProcess(worker, 'SIGTERM')).toBe(0);
      const job = (await getJob(await db.engine(), id))!;
      expect(job.state).toBe('pending');
      expect(job.attempts).toBeLessThanOrEqual(job.maxAttempts);
    }
    await (await db.engine()).run(`UPDATE jobs SET params = '{"steps":1,"delayMs":1}' WHERE id = ?`, [id]);
    const last = workerOn('budget');
    await waitFor(() => terminal(id), 'the job to end');
    expect(await stateOf(id)).toBe('completed');
    await stopAll(last);
  });

  it('a job the reaper fails on its last attempt counts as failed in its schedule', async () => {
    const engine = await db.engine();
    await engine.run(`INSERT INTO cron_jobs (name, job_name, cron, created_at, updated_at) VALUES ('reaped-sched', 'demo', '0 0 1 1 *', 0, 0)`);
    const id = await heldByDeadWorker('reaped', () => enqueueRaw('reaped', '{"steps":1,"delayMs":60000}', { maxAttempts: 1, scheduleName: 'reaped-sched' }));
    const second = workerOn('reaped', { JOBS_LEASE_MS: '1500' });
    await waitFor(() => terminal(id), 'the reaper to fail it', 30_000);
    expect(await stateOf(id)).toBe('failed');
    expect(await engine.all(`SELECT runs_failed FROM cron_jobs WHERE name = 'reaped-sched'`)).toEqual([{ runs_failed: 1 }]);
    await stopAll(second);
  });
});
