import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { observedConcurrency, peakStartsPerWindow } from '../helpers/limits';
import { runJobsCli, spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { DemoJob } from '@/jobs';

// Limits hold across worker processes: each rule is checked from what the attempts recorded.
const db = useTempDatabase();
const env = () => ({ DATABASE_URL: db.url, JOBS_CONCURRENCY: '4', JOBS_POLL_INTERVAL_MS: '200' });
const cli = (...args: string[]) => runJobsCli(args, env());
const unfinished = async (queue: string) =>
  Number((await (await db.engine()).all<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE queue = ? AND state IN ('pending', 'running')`, [queue]))[0].n);

describe('limits across worker processes', () => {
  it('runs at most concurrencyLimit jobs of one key at a time, with two workers of 4 slots each', async () => {
    const workers = [spawnWorker(env()), spawnWorker(env())];
    await Promise.all(workers.map((w) => w.waitForOutput('started')));
    const params = { steps: 2, delayMs: 30 };
    await DemoJob.laterMany(Array.from({ length: 10 }, () => params), { queue: 'keyed', concurrencyKey: 'tenant-1', concurrencyLimit: 2 });
    await DemoJob.laterMany(Array.from({ length: 6 }, () => params), { queue: 'keyed', concurrencyKey: 'tenant-2' });
    for (let i = 0; i < 4; i++) await DemoJob.later({ ...params, failTimes: 1 }, { queue: 'keyed', concurrencyKey: 'tenant-2' });
    await waitFor(async () => (await unfinished('keyed')) === 0, 'every keyed job to end', 60_000);
    for (const w of workers) expect(await stopProcess(w)).toBe(0);

    const peaks = await observedConcurrency(await db.engine(), 'keyed');
    expect(peaks.get('tenant-1')).toBeGreaterThanOrEqual(1);
    expect(peaks.get('tenant-1')).toBeLessThanOrEqual(2);
    expect(peaks.get('tenant-2')).toBe(1);
    const states = await (await db.engine()).all<{ state: string; n: number }>(`SELECT state, count(*) AS n FROM jobs WHERE queue = 'keyed' GROUP BY state`);
    expect(states).toEqual([{ state: 'completed', n: 20 }]);
  });

  it('starts at most the queue rate limit in any window, across workers, set and shown by bin/jobs queues', async () => {
    const set = await cli('queues', 'limit', 'api', '--rate', '4/500ms');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/limited.* queue api to 4\/500ms/);
    const workers = [spawnWorker(env()), spawnWorker({ ...env(), JOBS_QUEUES: 'api' })];
    await Promise.all(workers.map((w) => w.waitForOutput('started')));
    await DemoJob.laterMany(Array.from({ length: 14 }, () => ({ steps: 0, delayMs: 0 })), { queue: 'api' });
    await DemoJob.later({ steps: 0, delayMs: 0, failTimes: 1 }, { queue: 'api', backoff: { type: 'fixed', delay: 0 } });
    const shown = JSON.parse((await cli('queues', '--json')).stdout) as { queue: string; rateLimit: unknown }[];
    expect(shown.find((q) => q.queue === 'api')?.rateLimit).toEqual({ max: 4, durationMs: 500 });
    await waitFor(async () => (await unfinished('api')) === 0, 'every rate-limited job to end', 60_000);
    for (const w of workers) expect(await stopProcess(w)).toBe(0);

    const { peak, starts } = await peakStartsPerWindow(await db.engine(), 'api', 500);
    expect(starts).toBe(16); // 15 jobs, one of them twice
    expect(peak).toBe(4); // 16 starts never more than 4 to a window, and the backlog fills each window

    const cleared = await cli('queues', 'limit', 'api', '--clear');
    expect(cleared.stdout).toMatch(/cleared/);
    const bad = await cli('queues', 'limit', 'api', '--rate', 'lots');
    expect({ code: bad.code, stderr: bad.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/Invalid rate limit "lots"/) });
  });

  it('a draining worker waits for the rate window rather than leave due jobs behind', async () => {
    expect((await cli('queues', 'limit', 'drained', '--rate', '2/300ms')).code).toBe(0);
    const ids = await DemoJob.laterMany(Array.from({ length: 5 }, () => ({ steps: 0, delayMs: 0 })), { queue: 'drained' });
    const drained = await cli('worker', '--queue', 'drained', '--drain');
    expect(drained.code).toBe(0);
    const states = await (await db.engine()).all<{ state: string }>(`SELECT state FROM jobs WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
    expect(states.map((r) => r.state)).toEqual(Array(5).fill('completed'));
    expect((await peakStartsPerWindow(await db.engine(), 'drained', 300)).peak).toBe(2);
  });

  it('bin/jobs enqueue takes a concurrency key, and status shows the key and a job throttled behind it', async () => {
    const enqueue = async () => JSON.parse((await cli('enqueue', 'demo', '--queue', 'solo', '--param', 'steps=1', '--param', 'delayMs=1', '--concurrency-key', 'solo-key', '--json')).stdout).id as string;
    await enqueue();
    const second = await enqueue();
    const status = await cli('status', second);
    expect(status.stdout).toContain('throttled');
    expect(status.stdout).toMatch(/concurrency key\W+solo-key \(limit 1\)/);
    const bad = await cli('enqueue', 'demo', '--concurrency-key', 'k', '--concurrency-limit', '0');
    expect({ code: bad.code, stderr: bad.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/--concurrency-limit must be a whole number >= 1/) });
    expect((await cli('worker', '--queue', 'solo', '--drain')).code).toBe(0);
    expect(await unfinished('solo')).toBe(0);
  });
});
