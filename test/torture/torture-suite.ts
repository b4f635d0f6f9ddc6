import { describe, expect, it } from 'vitest';
import type { TempDatabase } from '../helpers/db';
import { observedConcurrency, peakStartsPerWindow } from '../helpers/limits';
import { spawnWorker, stopProcess, waitFor, type Spawned } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { setQueueRateLimit } from '@/lib/jobs';

// Real worker processes on one database, many jobs, and failures on purpose. Run on a local file
// (torture.test.ts) and through the remote engine on tursodb (test/remote/torture-tursodb.test.ts).
const random = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(list: T[]) => list[random(list.length)];

interface JobFacts {
  id: string;
  state: string;
  attempts: number;
  max_attempts: number;
  params: string;
  completed_attempts: number;
  attempt_rows: number;
  after_completion: number;
}

/**
 * The torture tests on `db`, named `title`. `jobs`: how many the first one runs (5,000 on a file;
 * fewer over HTTP, where every statement is a round trip to one server connection).
 */
export function describeTorture(title: string, db: TempDatabase, { jobs = 5_000, timeoutMs = 60_000 } = {}): void {
  /** Every job with its attempt rows summed up, and attempts that started after its completed one. */
  async function facts(queuePrefix: string): Promise<JobFacts[]> {
    const engine = await db.engine();
    return engine.all<JobFacts>(
      `SELECT j.id, j.state, j.attempts, j.max_attempts, j.params,
         (SELECT count(*) FROM job_attempts a WHERE a.job_id = j.id AND a.outcome = 'completed') AS completed_attempts,
         (SELECT count(*) FROM job_attempts a WHERE a.job_id = j.id) AS attempt_rows,
         (SELECT count(*) FROM job_attempts a, job_attempts c WHERE a.job_id = j.id AND c.job_id = j.id
            AND c.outcome = 'completed' AND a.attempt > c.attempt) AS after_completion
       FROM jobs j WHERE j.queue LIKE ?`,
      [`${queuePrefix}%`],
    );
  }
  const unfinished = async (queuePrefix: string) =>
    Number((await (await db.engine()).all<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE queue LIKE ? AND state IN ('pending', 'running')`, [`${queuePrefix}%`]))[0].n);

  describe(title, () => {
    it(`4 workers, ${jobs.toLocaleString('en-US')} jobs with random priorities, queues, delays, failures and limits: each ends exactly once, attempts match the failures, no limit exceeded`, async () => {
      // t1-r is rate-limited; a fifth of the jobs share one of three concurrency keys.
      const queues = ['t1-a', 't1-b', 't1-c', 't1-a', 't1-b', 't1-c', 't1-a', 't1-b', 't1-c', 't1-r'];
      const keyLimits: Record<string, number> = { k1: 1, k2: 2, k3: 3 };
      const rate = { max: 40, windowMs: 500 };
      await setQueueRateLimit('t1-r', { max: rate.max, duration: rate.windowMs });
      const plan = Array.from({ length: jobs }, () => {
        const key = random(5) === 0 ? pick(Object.keys(keyLimits)) : undefined;
        return {
          params: { steps: random(2), delayMs: random(3), failTimes: pick([0, 0, 0, 1, 2, 3]) },
          options: {
            queue: pick(queues),
            priority: random(21) - 10,
            delay: pick([0, 0, 0, 50, 300, 1_000]),
            maxAttempts: 3,
            ...(key ? { concurrencyKey: key, concurrencyLimit: keyLimits[key] } : {}),
          },
        };
      });
      const env = { DATABASE_URL: db.url, JOBS_CONCURRENCY: '8', JOBS_POLL_INTERVAL_MS: '200' };
      const workers: Spawned[] = [
        spawnWorker(env),
        spawnWorker(env),
        spawnWorker({ ...env, JOBS_QUEUES: 't1-a,t1-b' }),
        spawnWorker({ ...env, JOBS_QUEUES: 't1-c' }),
      ];
      await Promise.all(workers.map((w) => w.waitForOutput('started')));
      // Enqueued while the workers run, in chunks, one call per job for a fifth of them.
      for (let i = 0; i < plan.length; i += 250) {
        const chunk = plan.slice(i, i + 250);
        await Promise.all(chunk.map((p, k) => (k % 5 === 0 ? DemoJob.later(p.params, p.options) : DemoJob.laterMany([p.params], p.options))));
      }
      await waitFor(async () => (await unfinished('t1-')) === 0, 'every job to end', 180_000, 250);
      for (const w of workers) expect(await stopProcess(w)).toBe(0);

      const rows = await facts('t1-');
      expect(rows).toHaveLength(jobs);
      for (const row of rows) {
        const { failTimes } = JSON.parse(row.params) as { failTimes: number };
        const expected = failTimes < 3 ? { state: 'completed', attempts: failTimes + 1, completed_attempts: 1 } : { state: 'failed', attempts: 3, completed_attempts: 0 };
        expect({ id: row.id, state: row.state, attempts: row.attempts, completed_attempts: row.completed_attempts }).toEqual({ id: row.id, ...expected });
        expect(row.attempt_rows).toBe(row.attempts);
        expect(row.after_completion).toBe(0);
      }
      for (const w of workers) {
        expect(w.output()).not.toMatch(/error:/); // no SQLITE_BUSY or anything else reached a worker's log
        expect(w.output()).not.toMatch(/lost /);
      }
      // The limits, from what the attempts recorded.
      const peaks = await observedConcurrency(await db.engine(), 't1-');
      expect([...peaks.keys()].sort()).toEqual(['k1', 'k2', 'k3']);
      for (const [key, peak] of peaks) expect(peak, `peak concurrency of ${key}`).toBeLessThanOrEqual(keyLimits[key]);
      const starts = await peakStartsPerWindow(await db.engine(), 't1-r', rate.windowMs);
      expect(starts.starts).toBeGreaterThan(rate.max);
      expect(starts.peak).toBeLessThanOrEqual(rate.max);
      console.log(`torture: peak concurrency per key ${JSON.stringify(Object.fromEntries(peaks))}; ` +
        `t1-r peak ${starts.peak} starts in ${rate.windowMs} ms (limit ${rate.max}), ${starts.starts} starts`);
    }, timeoutMs);

    it('kill -9 of random workers, again and again, with replacements: every job still ends, at least once, nothing lost, no slot leaked', async () => {
      const env = { DATABASE_URL: db.url, JOBS_CONCURRENCY: '4', JOBS_LEASE_MS: '1000', JOBS_BUSY_TIMEOUT_MS: '500', JOBS_POLL_INTERVAL_MS: '200' };
      // Among them, jobs holding slots of a concurrency key and jobs of a rate-limited queue: a killed
      // worker's slots and starts must not leak, or those jobs would never end.
      await setQueueRateLimit('t2-rated', { max: 20, duration: 200 });
      const ids = [
        ...(await DemoJob.laterMany(Array.from({ length: 500 }, () => ({ steps: 2, delayMs: 20 })), { queue: 't2', maxAttempts: 50 })),
        ...(await DemoJob.laterMany(Array.from({ length: 60 }, () => ({ steps: 2, delayMs: 20 })), { queue: 't2', maxAttempts: 50, concurrencyKey: 't2-key', concurrencyLimit: 2 })),
        ...(await DemoJob.laterMany(Array.from({ length: 60 }, () => ({ steps: 2, delayMs: 20 })), { queue: 't2-rated', maxAttempts: 50 })),
      ];
      let workers = Array.from({ length: 4 }, () => spawnWorker(env));
      let kills = 0;
      // At least 6 kills whatever the machine's speed, then on until the jobs are done (at most 40).
      while (kills < 6 || ((await unfinished('t2')) > 0 && kills < 40)) {
        await new Promise((r) => setTimeout(r, 400));
        const victim = pick(workers);
        victim.child.kill('SIGKILL');
        await victim.exited;
        kills += 1;
        workers = [...workers.filter((w) => w !== victim), spawnWorker(env)];
      }
      await waitFor(async () => (await unfinished('t2')) === 0, 'every job to end after the kills', 120_000, 250);
      await Promise.all(workers.map((w) => w.waitForOutput('started'))); // a worker still starting has no SIGTERM handler yet
      for (const w of workers) expect(await stopProcess(w)).toBe(0);

      const rows = await facts('t2');
      expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
      for (const row of rows) {
        expect({ id: row.id, state: row.state, completed_attempts: row.completed_attempts, after: row.after_completion }).toEqual({ id: row.id, state: 'completed', completed_attempts: 1, after: 0 });
        expect(row.attempt_rows).toBe(row.attempts); // every attempt recorded, the lost ones too
      }
    }, timeoutMs);
  });
}
