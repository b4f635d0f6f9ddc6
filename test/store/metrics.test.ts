import { describe, expect, it } from 'vitest';
import { newJobId } from '@/core/ids';
import type { Engine, SqlArg } from '@/db/engine';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob } from '@/store/finish';
import { foldChanges } from '@/store/fold';
import { setQueueRateLimit } from '@/store/limits';
import { deadHoldingsSql, liveWorkersSql, oldestReadyAt, oldestReadySql, readAllJobCounts, readJobTotals } from '@/store/metrics';
import { registerWorker } from '@/store/workers';
import { useTempDatabase } from '../helpers/db';

// What a scrape of GET /api/metrics reads, and how: never a walk of the jobs table.
const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1);

const job = (queue: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue, priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 60_000, runAt: t0, idempotencyKey: null, ...overrides,
});

const planOf = async (engine: Engine, sql: string, args: SqlArg[]) =>
  (await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, args)).map((r) => r.detail);

/** A plan step that reads the jobs table, or an index of it, from end to end. */
const fullWalkOfJobs = /^SCAN jobs( USING (COVERING )?INDEX (?!jobs_owner_idx)\S+)?$/;

describe('the oldest ready job of a queue', () => {
  it('is found by seeks of the claim index, one per priority its ready jobs have, in one statement per index', async () => {
    const engine = await db.engine();
    await enqueueJobs(engine, [
      job('plans', { priority: 10, runAt: t0 + 5_000 }), job('plans', { priority: 0, runAt: t0 + 1_000 }), job('plans', { priority: -5, runAt: t0 + 3_000 }),
      job('plans', { runAt: t0 + 3_600_000 }), // not due at enqueue: scheduled, out of the claim index
    ], t0 + 10_000);
    await enqueueJobs(engine, Array.from({ length: 200 }, () => job('plans', { priority: 0, runAt: t0 + 2_000 })), t0 + 10_000);
    expect(await oldestReadyAt(engine, 'plans', [0])).toBe(t0 + 1_000);
    expect(await oldestReadyAt(engine, 'elsewhere', [0, 5])).toBeNull();

    await setQueueRateLimit(engine, { queue: 'rated', max: 1, durationMs: 60_000, now: t0 });
    await enqueueJobs(engine, [job('rated', { priority: 5, runAt: t0 + 9_000 }), job('rated', { runAt: t0 + 7_000 })], t0 + 10_000);
    await foldChanges(engine);
    const codes = await readAllJobCounts(engine);
    expect(codes.filter((c) => c.queue === 'rated' && c.state === 'pending').map((c) => [c.waiting, c.n])).toEqual([[5, 2]]);
    expect(await oldestReadyAt(engine, 'rated', [5])).toBe(t0 + 7_000);

    for (const [code, index] of [[0, 'jobs_queue_claim_idx'], [5, 'jobs_rate_claim_idx']] as const) {
      const plan = await planOf(engine, oldestReadySql(code), ['plans', 'plans', 'plans']);
      const jobSteps = plan.filter((step) => / jobs\b/.test(step));
      expect(jobSteps).toHaveLength(3);
      for (const step of jobSteps) expect(step).toMatch(new RegExp(`^SEARCH jobs USING (COVERING )?INDEX ${index} \\(queue=\\? AND priority[<=]\\?\\)$|^SEARCH jobs USING (COVERING )?INDEX ${index} \\(queue=\\?\\)$`));
    }
  });
});

describe('the rest of a scrape', () => {
  it('reads the live workers from the heartbeat index and the dead ones\' jobs from the running jobs only', async () => {
    const engine = await db.engine();
    await registerWorker(engine, { id: 'w-live', host: 'h', pid: 1, queues: [], concurrency: 1, jobNames: ['demo'], now: t0 });
    await enqueueJobs(engine, Array.from({ length: 50 }, () => job('finished')), t0);
    const claimed = await claimJobs(engine, { workerId: 'w-live', queues: ['finished'], limit: 50, now: t0, leaseMs: 60_000 });
    for (const row of claimed.slice(1)) await completeJob(engine, { jobId: row.id, workerId: 'w-live', attempt: 1 }, { result: null, now: t0 + 10, logs: [] });

    expect(await planOf(engine, liveWorkersSql, [t0])).toEqual([expect.stringMatching(/^SEARCH workers USING (COVERING )?INDEX workers_heartbeat_idx \(last_heartbeat_at>\?\)$/)]);
    const dead = await planOf(engine, deadHoldingsSql, [t0]);
    expect(dead).toContainEqual(expect.stringMatching(/^SCAN jobs USING INDEX jobs_owner_idx$/)); // the partial index of running jobs: those and no other
    expect(dead).toContainEqual(expect.stringMatching(/SEARCH workers USING (COVERING )?INDEX workers_heartbeat_idx \(last_heartbeat_at>\?\)/));
    for (const step of dead) expect(step).not.toMatch(fullWalkOfJobs);
  });

  it('keeps all-time totals per queue and name, folded with the per-minute stats', async () => {
    const engine = await db.engine();
    await foldChanges(engine);
    const totals = (await readJobTotals(engine)).find((r) => r.queue === 'finished')!;
    expect(totals).toMatchObject({ name: 'demo', completed: 49, failed: 0, cancelled: 0, retried: 0, runMsTotal: 49 * 10 });
    expect(totals.histogram.reduce((a, b) => a + b, 0)).toBe(49);
    expect(totals.histogram[3]).toBe(49); // 10 ms: the bucket (5, 10]
    expect(await planOf(engine, 'SELECT queue, name, completed, failed, cancelled, retried, run_ms_total AS runMsTotal, histogram FROM job_totals ORDER BY queue, name', []))
      .toEqual(['SCAN job_totals USING INDEX sqlite_autoindex_job_totals_1']); // one row per queue and name, in its key's order: no sort
  });
});
