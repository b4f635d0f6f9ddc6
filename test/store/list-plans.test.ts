import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob } from '@/store/finish';
import { listJobsQuery, namedFewLimit, pendingIndexes } from '@/store/job-list';
import { setQueueRateLimit } from '@/store/limits';
import { listJobs, pageKeyOf, type JobFilter } from '@/store/queries';
import { pauseQueue } from '@/store/queues';
import { waitReasons } from '@/store/stats';
import { useTempDatabase } from '../helpers/db';

// The plans of the admin page's lists that walked every id of a million-job table
// (npm run bench:admin): the pending tab when few jobs wait.
const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1);

const job = (queue: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue, priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 60_000, runAt: t0, idempotencyKey: null, ...overrides,
});

/** A plan step that reads every row (or every id) of the jobs table. */
const walkOfEveryId = /SCAN jobs(;|$| USING INDEX sqlite_autoindex_jobs_1)/;

const planOf = async (engine: Engine, filter: JobFilter) =>
  (await engine.orm.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${await listJobsQuery(engine, filter)}`)).map((r) => r.detail).join('; ');

/** Every page of `filter`, `limit` at a time. */
async function walk(engine: Engine, filter: Omit<JobFilter, 'limit'>, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let before: JobFilter['before'];
  for (;;) {
    const rows = await listJobs(engine, { ...filter, limit, before });
    seen.push(...rows.map((r) => r.id));
    if (rows.length < limit) return seen;
    before = pageKeyOf(filter, rows[rows.length - 1]);
  }
}

/** `count` jobs of `queue` claimed and completed, job i at t0 + 1000 + i. Their ids, oldest first. */
async function completeJobs(engine: Engine, queue: string, count: number): Promise<string[]> {
  const list = Array.from({ length: count }, () => job(queue));
  await enqueueJobs(engine, list, t0);
  await claimJobs(engine, { workerId: 'plans-test', queues: [queue], limit: count, now: t0, leaseMs: 600_000 });
  for (const [i, { id }] of list.entries()) {
    expect(await completeJob(engine, { jobId: id, workerId: 'plans-test', attempt: 1 }, { result: null, now: t0 + 1_000 + i, logs: [] })).toBe('completed');
  }
  return list.map((j) => j.id);
}

describe('the pending list', () => {
  it('lists every pending job, whatever it waits for, newest first, from the six partial indexes of pending jobs while few are pending', async () => {
    const engine = await db.engine();
    await completeJobs(engine, 'pending-tab', 4); // finished jobs the pending list must skip
    await pauseQueue(engine, 'paused-queue', t0);
    await setQueueRateLimit(engine, { queue: 'rated-queue', max: 1, durationMs: 60_000, now: t0 });
    const delayed = job('pending-tab', { runAt: t0 + 3_600_000 });
    const waiting = [
      job('pending-tab'), delayed, job('paused-queue'), job('pending-tab', { dependsOn: [delayed.id] }),
      job('pending-tab', { concurrencyKey: 'k' }), job('pending-tab', { concurrencyKey: 'k' }), job('rated-queue'),
    ];
    for (const one of waiting) await enqueueJobs(engine, [one], t0); // in order, so ids and dependencies line up
    const codes = await engine.all<{ scheduled: number }>(`SELECT DISTINCT scheduled FROM jobs WHERE state = 'pending' ORDER BY 1`);
    expect(codes.map((c) => c.scheduled)).toEqual([0, 1, 2, 3, 4, 5]);

    for (const filter of [{ state: 'pending', limit: 3 }, { state: 'pending', queue: 'pending-tab', limit: 3 }, { state: 'pending', name: 'demo', limit: 3 }] as JobFilter[]) {
      const plan = await planOf(engine, filter);
      expect(plan).toMatch(/^SEARCH jobs USING INTEGER PRIMARY KEY \(rowid=\?\)/); // driven by the pending rowids, not a name's index
      for (const index of Object.values(pendingIndexes)) expect(plan).toContain(`SCAN jobs USING COVERING INDEX ${index}`);
      expect(plan).not.toMatch(walkOfEveryId);
    }
    const newestFirst = waiting.map((j) => j.id).sort().reverse(); // ids are UUIDv7: newest created sorts last
    const tabNewestFirst = waiting.filter((j) => j.queue === 'pending-tab').map((j) => j.id).sort().reverse();
    expect(await walk(engine, { state: 'pending' }, 3)).toEqual(newestFirst);
    expect(await walk(engine, { state: 'pending', queue: 'pending-tab' }, 2)).toEqual(tabNewestFirst);
    expect((await listJobs(engine, { state: 'pending', limit: 2, offset: 2 })).map((r) => r.id)).toEqual(newestFirst.slice(2, 4));

    // Many waiting: they are mostly the newest jobs, so the walk from the newest id finds a page at once.
    await enqueueJobs(engine, Array.from({ length: namedFewLimit + 1 }, () => job('backlog')), t0);
    expect(await planOf(engine, { state: 'pending', limit: 3 })).not.toContain('jobs_due_idx');
    expect(await walk(engine, { state: 'pending', queue: 'pending-tab' }, 2)).toEqual(tabNewestFirst);
  });

  it('has a partial index for every wait reason a pending job can have', () => {
    expect(Object.keys(pendingIndexes).sort()).toEqual(Object.keys(waitReasons).sort());
  });
});
