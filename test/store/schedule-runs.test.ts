import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { addSchedule, fireSchedule, runScheduleNow, type ScheduleSpec } from '@/store/cron';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { deleteJobs } from '@/store/admin';
import { claimJobById } from '@/store/claim';
import { completeJob } from '@/store/finish';
import { lastJobsOfSchedules, lastJobsSql } from '@/store/schedule-runs';
import { newJobId } from '@/core/ids';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 3, 1, 2, 0);
const spec = (name: string): ScheduleSpec => ({ name, jobName: 'demo', cron: '0 2 * * *', timezone: 'UTC', params: '{}', description: null, misfire: 'skip' });
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'cron', priority: 0, params: '{}', maxAttempts: 1,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});

describe('the last job of each schedule', () => {
  it('is its newest job, by a fire or by Run now, with its state; a schedule that never ran has none, and one whose newest job was deleted shows the one before', async () => {
    const engine = await db.engine();
    for (const name of ['nightly', 'hourly', 'never']) await addSchedule(engine, spec(name), t0, t0 - 1_000);
    const fired = job({ scheduleName: 'nightly', idempotencyKey: `cron:nightly:${t0}` });
    expect(await fireSchedule(engine, { name: 'nightly', expectedNextRunAt: t0, nextRunAt: t0 + 86_400_000, job: fired, fireAt: t0, missed: 0, now: t0 })).toEqual({ claimed: true, enqueued: true });
    await claimJobById(engine, { id: fired.id, workerId: 'w', now: t0, leaseMs: 1_000 });
    await completeJob(engine, { jobId: fired.id, workerId: 'w', attempt: 1 }, { result: null, now: t0 + 5, logs: [] });
    const byHand = job({ scheduleName: 'nightly' });
    await runScheduleNow(engine, 'nightly', byHand, t0 + 60_000);
    const hourly = job({ scheduleName: 'hourly', runAt: t0 + 3_600_000 });
    await runScheduleNow(engine, 'hourly', hourly, t0);
    await enqueueJobs(engine, [job(), job({ scheduleName: 'removed-schedule' })], t0); // jobs of no schedule on the page

    const last = await lastJobsOfSchedules(engine);
    expect([...last.keys()].sort()).toEqual(['hourly', 'nightly']);
    expect(last.get('nightly')).toEqual({ schedule: 'nightly', id: byHand.id, state: 'pending', scheduled: 0, attempts: 0, runAt: t0, createdAt: t0 + 60_000 });
    expect(last.get('hourly')).toMatchObject({ id: hourly.id, state: 'pending', scheduled: 1 });

    await claimJobById(engine, { id: byHand.id, workerId: 'w', now: t0 + 60_000, leaseMs: 1_000 });
    await completeJob(engine, { jobId: byHand.id, workerId: 'w', attempt: 1 }, { result: null, now: t0 + 60_005, logs: [] });
    expect(await deleteJobs(engine, [byHand.id])).toEqual([byHand.id]); // as cleanup or a bulk delete does
    expect((await lastJobsOfSchedules(engine)).get('nightly')).toMatchObject({ id: fired.id, state: 'completed' });
  });

  it('is read by one seek of jobs_schedule_idx and one primary-key read per schedule, never a walk of the jobs table', async () => {
    const engine = await db.engine();
    const plan = (await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${lastJobsSql}`)).map((r) => r.detail);
    expect(plan).toEqual([
      expect.stringMatching(/^SCAN c( USING COVERING INDEX sqlite_autoindex_cron_jobs_1)?$/), // the schedules, a few rows
      expect.stringMatching(/^SEARCH j USING INDEX sqlite_autoindex_jobs_1 \(id=\?\)/),
      'CORRELATED SCALAR SUBQUERY 1',
      'SEARCH jobs USING COVERING INDEX jobs_schedule_idx (schedule_name=?)',
    ]);
  });
});
