import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';
import type { JobRow } from '@/db/schema';
import { paramFilters } from '@/lib/jobs/param-filter';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob } from '@/store/finish';
import { listJobsQuery, namedFewLimit } from '@/store/job-list';
import { getJob, listJobs, pageKeyOf, type JobFilter } from '@/store/queries';
import { useTempDatabase } from '../helpers/db';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1);

const job = (queue: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue, priority: 0, params: '{"k":1}', maxAttempts: 1, backoff: null, timeoutMs: 60_000, runAt: t0, idempotencyKey: null, ...overrides,
});

/** `count` new jobs of `queue` run through claim and end as `state`, job i at time finishedAt(i), as a worker would. Their ids, oldest first. */
async function finishJobs(engine: Engine, queue: string, count: number, finishedAt: (i: number) => number, state: 'completed' | 'failed', overrides: Partial<NewJob> = {}): Promise<string[]> {
  const list = Array.from({ length: count }, () => job(queue, overrides));
  await enqueueJobs(engine, list, t0);
  const claimed = await claimJobs(engine, { workerId: 'list-test', queues: [queue], limit: count, now: t0, leaseMs: 600_000 });
  expect(claimed).toHaveLength(count);
  for (const [i, { id }] of list.entries()) {
    const owner = { jobId: id, workerId: 'list-test', attempt: 1 };
    const now = finishedAt(i);
    const ended = state === 'completed'
      ? await completeJob(engine, owner, { result: null, now, logs: [] })
      : await endJob(engine, owner, { state: 'failed', outcome: 'failed', error: { name: 'Error', message: 'boom' }, now, logs: [] });
    expect(ended).not.toBeNull();
  }
  return list.map((j) => j.id);
}

/** The rows of `ids` in a finished list's order: newest completed_at first, then the larger id. */
async function inFinishOrder(engine: Engine, ids: string[]): Promise<string[]> {
  const rows = (await Promise.all(ids.map((id) => getJob(engine, id)))) as JobRow[];
  return rows.sort((a, b) => b.completedAt! - a.completedAt! || (a.id < b.id ? 1 : -1)).map((r) => r.id);
}

/** Every page of `filter`, `limit` at a time, calling `between` after each page but the last. */
async function walk(engine: Engine, filter: Omit<JobFilter, 'limit'>, limit: number, between: (page: number) => Promise<void> = async () => {}): Promise<string[]> {
  const seen: string[] = [];
  let before: JobFilter['before'];
  for (let page = 0; ; page++) {
    const rows = await listJobs(engine, { ...filter, limit, before });
    seen.push(...rows.map((r) => r.id));
    if (rows.length < limit) return seen;
    before = pageKeyOf(filter, rows[rows.length - 1]);
    await between(page);
  }
}

const planOf = async (engine: Engine, filter: JobFilter) =>
  (await engine.orm.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${await listJobsQuery(engine, filter)}`)).map((r) => r.detail).join('; ');

describe('a list of one terminal state', () => {
  it('a walk of the failed list, newest finished first, meets every job that failed before it exactly once, in order, while jobs are enqueued, fail and complete between its pages', async () => {
    const engine = await db.engine();
    // 23 jobs fail at 8 different times, so most pages end inside a tie that the id breaks.
    const failedBefore = await finishJobs(engine, 'walk', 23, (i) => t0 + 10_000 + Math.floor(i / 3) * 1_000, 'failed');
    const expected = await inFinishOrder(engine, failedBefore);

    const seen = await walk(engine, { state: 'failed', queue: 'walk' }, 4, async (page) => {
      // Newer failures (one at the very time the last page ended on), a completion, and new jobs waiting for later.
      await finishJobs(engine, 'walk', 2, (i) => (i === 0 ? t0 + 10_000 + 1_000 * (7 - page) : t0 + 50_000 + page), 'failed');
      await finishJobs(engine, 'walk', 1, () => t0 + 50_000 + page, 'completed');
      await enqueueJobs(engine, [job('walk', { runAt: t0 + 3_600_000 }), job('walk', { runAt: t0 + 3_600_000 })], t0);
    });

    expect(new Set(seen).size).toBe(seen.length); // no job twice
    expect(seen).toEqual(expected); // none skipped, none of the later ones, newest finished first
    const all = await walk(engine, { state: 'failed', queue: 'walk' }, 100);
    expect(all.length).toBeGreaterThan(expected.length); // the later failures are there for a new walk
  });

  it('whichever index a page is read from, a finished list comes in the same order, page by page: finished index, a rare name\'s index, param and id bounds', async () => {
    const engine = await db.engine();
    const a = await finishJobs(engine, 'plans', 20, (i) => t0 + 20_000 + Math.floor(i / 4), 'completed', { name: 'plan-a', params: '{"k":1,"tag":"x"}' });
    const b = await finishJobs(engine, 'plans', 20, (i) => t0 + 20_000 + Math.floor(i / 5), 'completed', { name: 'plan-b', params: '{"k":1,"tag":"y"}' });
    const both = await inFinishOrder(engine, [...a, ...b]);
    const onlyA = await inFinishOrder(engine, a);
    const tagX = filtersOf(['tag', 'x']);

    expect(await planOf(engine, { state: 'completed', queue: 'plans', limit: 7 })).toContain('jobs_finished_idx');
    expect(await walk(engine, { state: 'completed', queue: 'plans' }, 7)).toEqual(both);
    expect(await planOf(engine, { state: 'completed', name: 'plan-a', limit: 7 })).toContain('jobs_name_idx');
    expect(await walk(engine, { state: 'completed', name: 'plan-a' }, 7)).toEqual(onlyA);
    expect(await walk(engine, { state: 'completed', queue: 'plans', params: filtersOf(['k', '1']) }, 7)).toEqual(both);
    expect(await walk(engine, { state: 'completed', params: tagX }, 7)).toEqual(onlyA);
    expect(await walk(engine, { state: 'completed', ids: [...b, ...a] }, 7)).toEqual(both);
    expect((await listJobs(engine, { state: 'completed', queue: 'plans', limit: 7, offset: 7 })).map((r) => r.id)).toEqual(both.slice(7, 14));
  });

  it('is read from jobs_finished_idx (also with a name of many jobs), running jobs from jobs_lease_idx, and a param search from the newest ids, never the finished index', async () => {
    const engine = await db.engine();
    await enqueueJobs(engine, Array.from({ length: namedFewLimit + 1 }, () => job('busy-name', { name: 'busy' })), t0);
    const key = { id: newJobId(), completedAt: t0 };
    expect(await planOf(engine, { state: 'failed', limit: 10 })).toMatch(/SEARCH jobs USING INDEX jobs_finished_idx \(state=\? AND completed_at>\?\)/);
    expect(await planOf(engine, { state: 'cancelled', limit: 10, before: key })).toMatch(/SEARCH jobs USING INDEX jobs_finished_idx \(state=\? AND (completed_at>\? AND )?completed_at<\?\)/);
    expect(await planOf(engine, { state: 'completed', name: 'busy', limit: 10 })).toMatch(/jobs_finished_idx/);
    expect(await planOf(engine, { state: 'running', limit: 10 })).toMatch(/jobs_lease_idx/);
    for (const filter of [{ state: 'failed', params: filtersOf(['k', '1']), limit: 10 }, { state: 'failed', params: filtersOf(['k', '1']), limit: 10, before: key }] as JobFilter[]) {
      const plan = await planOf(engine, filter);
      expect(plan).toMatch(/SEARCH jobs USING INDEX sqlite_autoindex_jobs_1 \(id>\?\)/);
      expect(plan).not.toContain('jobs_finished_idx');
    }
  });

  it('refuses a key of the other order: an id key on a finished list, a finish-time key on a list by creation', async () => {
    const engine = await db.engine();
    await expect(listJobs(engine, { state: 'failed', limit: 5, before: { id: newJobId() } })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(listJobs(engine, { state: 'pending', limit: 5, before: { id: newJobId(), completedAt: t0 } })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(listJobs(engine, { limit: 5, before: { id: newJobId(), completedAt: t0 } })).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('a list by creation', () => {
  it('lists running jobs newest created first from the lease index, a page at a time', async () => {
    const engine = await db.engine();
    const list = Array.from({ length: 5 }, () => job('running-list'));
    await enqueueJobs(engine, list, t0);
    await claimJobs(engine, { workerId: 'list-test', queues: ['running-list'], limit: 5, now: t0, leaseMs: 600_000 });
    expect(await walk(engine, { state: 'running', queue: 'running-list' }, 2)).toEqual(list.map((j) => j.id).reverse());
  });
});

function filtersOf(...pairs: [string, string][]) {
  return paramFilters(pairs, []);
}
