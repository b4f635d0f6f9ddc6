import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';
import { reportText } from '@/lib/report/report-file';
import { cancelJob } from '@/store/admin';
import { claimJobById } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob, retryJob } from '@/store/finish';
import { explainReport, readReportRows } from '@/store/report';

const db = useTempDatabase();
const t = Date.UTC(2026, 0, 1, 12);
const error = { message: 'boom', name: 'Error' };
const job = (name: string, queue: string): NewJob => ({
  id: newJobId(), name, queue, priority: 0, params: '{}', maxAttempts: 3, backoff: null, timeoutMs: 60_000, runAt: t - 3_600_000, idempotencyKey: null,
});
const owner = (id: string, attempt = 1) => ({ jobId: id, workerId: 'w', attempt });

/** Enqueues a job and claims it at `at` (its attempt starts then); its id. */
async function startJob(engine: Engine, spec: NewJob, at: number, attempt = 1): Promise<string> {
  if (attempt === 1) await enqueueJobs(engine, [spec], at - 1);
  expect(await claimJobById(engine, { id: spec.id, workerId: 'w', now: at, leaseMs: 600_000 })).not.toBeNull();
  return spec.id;
}

describe('the report query', () => {
  it('counts each attempt of the period once, by outcome, with its run time, per name and queue', async () => {
    const engine = await db.engine();
    const send = () => job('send, "bulk"', 'mail'); // a name that needs CSV quoting (the store takes any)
    for (const ms of [10, 20, 30, 40]) {
      const id = await startJob(engine, send(), t);
      await completeJob(engine, owner(id), { result: null, now: t + ms, logs: [] });
    }
    const twice = send(); // fails (5 ms), is retried, fails for good (50 ms)
    await startJob(engine, twice, t);
    await retryJob(engine, owner(twice.id), { outcome: 'failed', error, runAt: t + 5, now: t + 5, logs: [] });
    await startJob(engine, twice, t + 100, 2);
    await endJob(engine, owner(twice.id, 2), { state: 'failed', outcome: 'failed', error, now: t + 150, logs: [] });
    const waiting = send(); // times out after 7 ms, and waits for its retry
    await startJob(engine, waiting, t);
    await retryJob(engine, owner(waiting.id), { outcome: 'timed_out', error, runAt: t + 60_000, now: t + 7, logs: [] });
    const cancelled = send(); // cancelled while it ran, after 60 ms
    await startJob(engine, cancelled, t);
    await cancelJob(engine, cancelled.id, t + 30);
    await endJob(engine, owner(cancelled.id), { state: 'cancelled', outcome: 'cancelled', error: { message: 'Job was cancelled', name: 'JobCancelledError' }, now: t + 60, logs: [] });

    const resize = await startJob(engine, job('resize', 'images'), t - 1_000); // ends at exactly the period's start: in it
    await completeJob(engine, owner(resize), { result: null, now: t, logs: [] });
    const before = await startJob(engine, job('resize', 'images'), t - 5_000); // ends before the period
    await completeJob(engine, owner(before), { result: null, now: t - 1, logs: [] });
    const atEnd = await startJob(engine, job('resize', 'images'), t + 1_000); // ends at the period's end: not in it
    await completeJob(engine, owner(atEnd), { result: null, now: t + 3_600_000, logs: [] });

    const period = { from: t, to: t + 3_600_000 };
    const rows = await readReportRows(engine, period);
    // send's run times, sorted: 5 7 10 20 30 40 50 60. Nearest rank: p50 the 4th, p95 and p99 the 8th.
    expect(rows).toEqual([
      { name: 'resize', queue: 'images', attempts: 1, completed: 1, failed: 0, cancelled: 0, retried: 0, meanMs: 1000, p50Ms: 1000, p95Ms: 1000, p99Ms: 1000 },
      { name: 'send, "bulk"', queue: 'mail', attempts: 8, completed: 4, failed: 1, cancelled: 1, retried: 2, meanMs: 27.75, p50Ms: 20, p95Ms: 60, p99Ms: 60 },
    ]);
    expect(reportText(period, rows, 'csv', t).split('\r\n')).toEqual([
      'from,to,name,queue,attempts,completed,failed,cancelled,retried,failure_rate,mean_ms,p50_ms,p95_ms,p99_ms',
      '2026-01-01T12:00:00.000Z,2026-01-01T13:00:00.000Z,resize,images,1,1,0,0,0,0,1000,1000,1000,1000',
      '2026-01-01T12:00:00.000Z,2026-01-01T13:00:00.000Z,"send, ""bulk""",mail,8,4,1,1,2,0.2,27.8,20,60,60',
      '',
    ]);
    expect(await readReportRows(engine, { from: t + 7_200_000, to: t + 10_800_000 })).toEqual([]);
  });

  it('reads a short period of a big table through the end-time index, joining jobs by id: no scan of either table', async () => {
    const engine = await db.engine();
    // 100,000 old attempts of 100,000 jobs, then the planner's statistics.
    await engine.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
      INSERT INTO jobs (id, name, queue, state, params, attempts, max_attempts, timeout_ms, run_at, created_at, completed_at)
      SELECT printf('00000000-0000-7000-8000-%012d', i), 'bulk', 'default', 'completed', '{}', 1, 1, 1000, ?, ?, ? + i FROM n`, [t - 86_400_000, t - 86_400_000, t - 86_400_000]);
    await engine.run(`INSERT INTO job_attempts (job_id, attempt, started_at, finished_at, outcome)
      SELECT id, 1, completed_at - 5, completed_at, 'completed' FROM jobs WHERE name = 'bulk'`);
    await engine.run('ANALYZE');
    const plan = await explainReport(engine, { from: t, to: t + 3_600_000 });
    expect(plan).toContain('SEARCH a USING INDEX job_attempts_finished_idx (finished_at>? AND finished_at<?)');
    expect(plan).toContain('SEARCH j USING INDEX sqlite_autoindex_jobs_1 (id=?)');
    expect(plan.filter((step) => /^SCAN (a|j|jobs|job_attempts)\b/.test(step))).toEqual([]);
    expect((await readReportRows(engine, { from: t, to: t + 3_600_000 })).map((r) => [r.name, r.attempts])).toEqual([['resize', 1], ['send, "bulk"', 8]]);
  });
});
