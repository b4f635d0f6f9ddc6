import type { Engine } from '../db/engine';
import type { JobState } from '../core/states';

/** The newest job a schedule enqueued (by a fire or by Run now), as the schedules page shows it. */
export interface ScheduleLastJob {
  schedule: string;
  id: string;
  state: JobState;
  /** The rest of what displayState needs to refine `pending` (scheduled, retrying, blocked...). */
  scheduled: number;
  attempts: number;
  runAt: number;
  createdAt: number;
}

/**
 * lastJobsOfSchedules' statement, exported so a test can read its plan: each
 * schedule's newest job id from jobs_schedule_idx (one seek, the last entry of
 * its range, covering), then that job by primary key. Schedules whose jobs are
 * all gone (cleaned up) or that never ran have no row.
 */
export const lastJobsSql = `SELECT c.name AS schedule, j.id, j.state, j.scheduled, j.attempts, j.run_at, j.created_at
  FROM cron_jobs c JOIN jobs j ON j.id = (
    SELECT id FROM jobs INDEXED BY jobs_schedule_idx WHERE schedule_name = c.name ORDER BY id DESC LIMIT 1)`;

/**
 * Read-only. The newest job of every schedule that still has one, by schedule
 * name, in one statement: a seek of jobs_schedule_idx and a primary-key read
 * per schedule, whatever the size of the jobs table. Ids are UUIDv7, so the
 * highest id is the last enqueued.
 */
export async function lastJobsOfSchedules(engine: Engine): Promise<Map<string, ScheduleLastJob>> {
  const rows = await engine.all<{ schedule: string; id: string; state: JobState; scheduled: number; attempts: number; run_at: number; created_at: number }>(lastJobsSql);
  return new Map(rows.map((r) => [r.schedule, {
    schedule: r.schedule, id: r.id, state: r.state, scheduled: Number(r.scheduled), attempts: Number(r.attempts),
    runAt: Number(r.run_at), createdAt: Number(r.created_at),
  }]));
}
