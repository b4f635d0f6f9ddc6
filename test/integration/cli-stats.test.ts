import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { root, runJobsCli, spawnProcess, stopProcess } from '../helpers/processes';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob } from '@/store/finish';
import { pauseQueue } from '@/store/queues';
import { readStats } from '@/lib/jobs/stats';
import { newJobId } from '@/core/ids';

// The real bin/jobs stats on this file's own SQLite file, over jobs written through the store.
const db = useTempDatabase();
const env = () => ({ DATABASE_URL: db.url });
const cli = (...args: string[]) => runJobsCli(['stats', ...args], env());
const minuteMs = 60_000;
const at = Math.floor(Date.now() / minuteMs) * minuteMs - 3 * minuteMs;

beforeAll(async () => {
  const engine = await db.engine();
  const row = (name: string, queue = 'mail'): NewJob => ({ id: newJobId(), name, queue, priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: at, idempotencyKey: null });
  const jobs = [row('send'), row('send'), row('send'), row('send')];
  await enqueueJobs(engine, jobs, at);
  await claimJobs(engine, { workerId: 'w', queues: ['mail'], limit: 4, now: at, leaseMs: 60_000 });
  const owner = (i: number) => ({ jobId: jobs[i].id, workerId: 'w', attempt: 1 });
  await completeJob(engine, owner(0), { result: null, now: at + 40, logs: [] });
  await completeJob(engine, owner(1), { result: null, now: at + 40, logs: [] });
  await completeJob(engine, owner(2), { result: null, now: at + 40, logs: [] });
  await endJob(engine, owner(3), { state: 'failed', outcome: 'failed', error: { message: 'x', name: 'Error' }, now: at + 50, logs: [] });
  await enqueueJobs(engine, [row('send'), row('resize', 'images')], at);
  await pauseQueue(engine, 'images', at);
});

describe('bin/jobs stats', () => {
  it('--json prints what GET /api/stats answers: readStats at the same moment, to the byte', async () => {
    const { code, stdout, stderr } = await cli('--json');
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout);
    const expected = await readStats(await db.engine(), { now: Date.parse(printed.generatedAt) });
    expect(stdout.trim()).toBe(JSON.stringify(expected, null, 2));
    expect(printed.totals).toMatchObject({ completed: 3, failed: 1, failureRate: 0.25 });
    const narrowed = JSON.parse((await cli('--json', '--queue', 'images', '--hours', '2')).stdout);
    expect(narrowed).toMatchObject({ queue: 'images', window: { hours: 2 }, counts: { pending: 1, waiting: { paused: 1 } } });
  });

  it('prints tables for people: counts per state and per queue with the oldest waiting age, throughput, failure rate and run times per name', async () => {
    const { code, stdout, stderr } = await cli();
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/pending\s*│\s*running\s*│\s*completed\s*│\s*failed\s*│\s*cancelled\s*│\s*total/);
    expect(stdout).toMatch(/│ 2\s+│ 0\s+│ 3\s+│ 1\s+│ 0\s+│ 6\s+│/);
    expect(stdout).toContain('pending: 1 ready, 1 paused');
    // mail: one ready job, waiting since `at` (3 minutes or more); images: paused.
    expect(stdout).toMatch(/│ mail\s+│ 1\s+│ 0\s+│ 0\s+│ 0\s+│ 0\s+│ 0\s+│ \d+m \d+s\s+│ active\s+│ none/);
    expect(stdout).toMatch(/│ images\s+│ 0\s+│ 0\s+│ 1\s+│ 0\s+│ 0\s+│ 0\s+│ -\s+│ paused\s+│ none/);
    expect(stdout).toContain('Last 24 h: 3 completed, 1 failed, 0 cancelled, 0 attempts retried');
    expect(stdout).toMatch(/throughput: 0\.0028 jobs\/min on average; 0 in the last whole minute/);
    expect(stdout).toContain('failure rate: 25.0%');
    // Three 40 ms runs, in the bucket (25, 50]: estimates inside it, the mean exact.
    expect(stdout).toMatch(/│ send\s+│ 3\s+│ 1\s+│ 0\s+│ 0\s+│ 25\.0%\s+│ 38ms\s+│ 49ms\s+│ 50ms\s+│ 40ms\s+│/);
  });

  it('refuses bad options with a usage error (exit 2) and no stack trace', async () => {
    for (const args of [['--hours', '0'], ['--hours', '169'], ['--hours', 'abc'], ['--queue', 'no spaces'], ['mail'], ['--bogus']]) {
      const { code, stdout, stderr } = await cli(...args);
      expect([args.join(' '), code, stdout]).toEqual([args.join(' '), 2, '']);
      expect(stderr).toMatch(/^error: /);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    expect((await cli('--hours', '169')).stderr).toContain('--hours must be a whole number from 1 to 168, got "169"');
  });

  it('--watch reads and redraws again and again until Ctrl-C, then exits 0', async () => {
    const watching = spawnProcess([path.join(root, 'src/cli/main.ts'), 'stats', '--watch'], env());
    await watching.waitForOutput(/Ctrl-C to stop[\s\S]*Jobs in every queue[\s\S]*Ctrl-C to stop/);
    expect(await stopProcess(watching, 'SIGINT')).toBe(0);
  });

  it('--watch --json prints one answer per line, each whole JSON', async () => {
    const watching = spawnProcess([path.join(root, 'src/cli/main.ts'), 'stats', '--watch', '--json', '--queue', 'mail'], env());
    await watching.waitForOutput(/\n.*\n/);
    expect(await stopProcess(watching, 'SIGINT')).toBe(0);
    const lines = watching.output().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ queue: 'mail', counts: { completed: 3 } });
  });
});
