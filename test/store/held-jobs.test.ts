import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobById } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { heldJobsSql, listJobsHeldBy } from '@/store/workers';
import { newJobId } from '@/core/ids';

const db = useTempDatabase();
const clock = Date.UTC(2026, 0, 1);

function job(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{}', maxAttempts: 3,
    backoff: null, timeoutMs: 60_000, runAt: clock, idempotencyKey: null, ...overrides,
  };
}

describe('listJobsHeldBy', () => {
  it('lists only the running jobs whose lease the worker holds, soonest-expiring first, at most the limit', async () => {
    const engine = await db.engine();
    const jobs = Array.from({ length: 5 }, () => job());
    await enqueueJobs(engine, jobs, clock);
    // w1 holds three with different leases, w2 one; the fifth stays pending.
    await claimJobById(engine, { id: jobs[0].id, workerId: 'w1', now: clock, leaseMs: 30_000 });
    await claimJobById(engine, { id: jobs[1].id, workerId: 'w1', now: clock, leaseMs: 10_000 });
    await claimJobById(engine, { id: jobs[2].id, workerId: 'w1', now: clock, leaseMs: 20_000 });
    await claimJobById(engine, { id: jobs[3].id, workerId: 'w2', now: clock, leaseMs: 30_000 });

    const held = await listJobsHeldBy(engine, 'w1');
    expect(held.map((j) => j.id)).toEqual([jobs[1].id, jobs[2].id, jobs[0].id]);
    expect(held[0]).toEqual({ id: jobs[1].id, name: 'demo', queue: 'default', lockedUntil: clock + 10_000 });
    expect((await listJobsHeldBy(engine, 'w1', 2)).map((j) => j.id)).toEqual([jobs[1].id, jobs[2].id]);
    expect((await listJobsHeldBy(engine, 'w2')).map((j) => j.id)).toEqual([jobs[3].id]);
    expect(await listJobsHeldBy(engine, 'nobody')).toEqual([]);
  });

  it('is a seek of jobs_owner_idx', async () => {
    const engine = await db.engine();
    const rows = await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${heldJobsSql}`, ['w1', 50]);
    expect(rows.map((r) => r.detail).join('\n')).toMatch(/SEARCH jobs USING INDEX jobs_owner_idx \(locked_by=\?\)/);
  });
});
