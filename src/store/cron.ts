import { and, asc, eq, lte } from 'drizzle-orm';
import type { Engine, Statement } from '../db/engine';
import { cronJobs, type CronJobRow } from '../db/schema';
import { JobsError } from '../core/errors';
import type { MisfirePolicy } from '../core/cron';
import { jobInsertArgs, jobInsertColumns, jobInsertValues, liveKeyHolder, type NewJob } from './enqueue';
import { grantSlotsStatement } from './limits';

export interface ScheduleSpec {
  name: string;
  jobName: string;
  cron: string;
  timezone: string;
  /** JSON text, already checked. */
  params: string;
  description: string | null;
  misfire: MisfirePolicy;
}

/** Read-only. Every schedule, by name. */
export function listSchedules(engine: Engine): Promise<CronJobRow[]> {
  return engine.orm.select().from(cronJobs).orderBy(asc(cronJobs.name));
}

/** Read-only. One schedule, or not_found. */
export async function getSchedule(engine: Engine, name: string): Promise<CronJobRow> {
  const [row] = await engine.orm.select().from(cronJobs).where(eq(cronJobs.name, name)).limit(1);
  if (!row) throw new JobsError('not_found', `No schedule named "${name}"`);
  return row;
}

/** Adds an operator's schedule, enabled, first firing at `nextRunAt`; a taken name is a conflict and changes nothing. */
export async function addSchedule(engine: Engine, spec: ScheduleSpec, nextRunAt: number | null, now: number): Promise<void> {
  const rows = await engine.all(
    `INSERT INTO cron_jobs (name, job_name, cron, timezone, params, description, misfire, source, next_run_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'operator', ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING name`,
    [spec.name, spec.jobName, spec.cron, spec.timezone, spec.params, spec.description, spec.misfire, nextRunAt, now, now],
  );
  if (rows.length === 0) throw new JobsError('conflict', `A schedule named "${spec.name}" already exists`);
}

/**
 * Makes the code-defined schedules in the table match `specs`, in one batch:
 * new ones are added enabled; a changed one gets its new expression, timezone,
 * params and policy (and a new next run if its timing changed); ones gone from
 * the code are removed. An operator's enable/disable is never overwritten, and
 * schedules an operator added are never touched.
 */
export async function syncCodeSchedules(engine: Engine, specs: { spec: ScheduleSpec; nextRunAt: number | null }[], now: number): Promise<void> {
  const upserts: Statement[] = specs.map(({ spec, nextRunAt }) => ({
    sql: `INSERT INTO cron_jobs (name, job_name, cron, timezone, params, description, misfire, source, next_run_at, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'code', ?, ?, ?)
          ON CONFLICT (name) DO UPDATE SET
            next_run_at = CASE WHEN cron_jobs.cron != excluded.cron OR cron_jobs.timezone != excluded.timezone
                          THEN excluded.next_run_at ELSE cron_jobs.next_run_at END,
            job_name = excluded.job_name, cron = excluded.cron, timezone = excluded.timezone, params = excluded.params,
            description = excluded.description, misfire = excluded.misfire, updated_at = excluded.updated_at
          WHERE cron_jobs.source = 'code'`,
    args: [spec.name, spec.jobName, spec.cron, spec.timezone, spec.params, spec.description, spec.misfire, nextRunAt, now, now],
  }));
  const names = specs.map(({ spec }) => spec.name);
  const removeGone: Statement = {
    sql: `DELETE FROM cron_jobs WHERE source = 'code' AND name NOT IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(names)],
  };
  await engine.batch([...upserts, removeGone]);
}

/** Enables (from `nextRunAt`, so fires missed while disabled are not run) or disables a schedule; not_found if none. */
export async function setScheduleEnabled(engine: Engine, name: string, enabled: boolean, nextRunAt: number | null, now: number): Promise<void> {
  const rows = await engine.all(
    enabled
      ? `UPDATE cron_jobs SET enabled = 1, next_run_at = ?, updated_at = ? WHERE name = ? RETURNING name`
      : `UPDATE cron_jobs SET enabled = 0, updated_at = ? WHERE name = ? RETURNING name`,
    enabled ? [nextRunAt, now, name] : [now, name],
  );
  if (rows.length === 0) throw new JobsError('not_found', `No schedule named "${name}"`);
}

/** What an operator may change in a schedule of theirs; a field left out stays as it is. */
export interface ScheduleChanges {
  cron?: string;
  timezone?: string;
  /** JSON text, already checked. */
  params?: string;
  /** null clears it. */
  description?: string | null;
  misfire?: MisfirePolicy;
  enabled?: boolean;
  /** The next fire, computed by the caller from the new timing (or from now, when enabled again). */
  nextRunAt?: number | null;
}

const changeColumns: Record<keyof ScheduleChanges, string> = {
  cron: 'cron', timezone: 'timezone', params: 'params', description: 'description', misfire: 'misfire', enabled: 'enabled', nextRunAt: 'next_run_at',
};

/**
 * Changes an operator's schedule in one statement, only if it is still an
 * operator's (a compare-and-set on its source): a schedule declared in code
 * is the code's, whose next sync would undo the change, so it is a conflict
 * and nothing changes; not_found if there is no such schedule. A poller that
 * read the old next_run_at loses its compare-and-set on it, so it never fires
 * the old timing once this committed.
 */
export async function updateSchedule(engine: Engine, name: string, changes: ScheduleChanges, now: number): Promise<void> {
  const fields = (Object.keys(changeColumns) as (keyof ScheduleChanges)[]).filter((key) => changes[key] !== undefined);
  const values = fields.map((key) => (key === 'enabled' ? (changes.enabled ? 1 : 0) : changes[key] as string | number | null));
  const rows = await engine.all(
    `UPDATE cron_jobs SET ${fields.map((key) => `${changeColumns[key]} = ?, `).join('')}updated_at = ?
     WHERE name = ? AND source = 'operator' RETURNING name`,
    [...values, now, name],
  );
  if (rows.length === 1) return;
  await getSchedule(engine, name); // not_found if it is gone
  throw new JobsError('conflict', `Schedule "${name}" is declared in code: change it in its job class's static schedule (each poller syncs it from there at start); here it may only be enabled or disabled`);
}

/** Removes a schedule; the jobs it enqueued stay. not_found if none. */
export async function removeSchedule(engine: Engine, name: string): Promise<void> {
  const rows = await engine.all(`DELETE FROM cron_jobs WHERE name = ? RETURNING name`, [name]);
  if (rows.length === 0) throw new JobsError('not_found', `No schedule named "${name}"`);
}

/** Read-only. Enabled schedules whose next fire time has come. */
export async function dueSchedules(engine: Engine, now: number): Promise<CronJobRow[]> {
  return engine.orm.select().from(cronJobs).where(and(eq(cronJobs.enabled, 1), lte(cronJobs.nextRunAt, now)));
}

/** Read-only. The earliest next fire time of any enabled schedule, or null. */
export async function nextScheduleFireAt(engine: Engine): Promise<number | null> {
  const rows = await engine.all<{ next: number | null }>(
    `SELECT min(next_run_at) AS next FROM cron_jobs INDEXED BY cron_jobs_next_idx WHERE enabled = 1`,
  );
  return rows[0]?.next ?? null;
}

export interface Fire {
  name: string;
  /** The next_run_at this poller read: the compare-and-set key. */
  expectedNextRunAt: number;
  nextRunAt: number | null;
  /** The job to enqueue for this fire, or null to only move past missed fires. */
  job: NewJob | null;
  /** The fire time the job stands for (its last_run_at). */
  fireAt: number | null;
  /** Fires dropped by the misfire policy on the way. */
  missed: number;
  now: number;
}

/**
 * Claims one fire of a schedule and enqueues its job, in one write batch:
 * the schedule moves from `expectedNextRunAt` to `nextRunAt` only if no other
 * poller moved it first (compare-and-set), and the job is inserted only if
 * that move happened (`changes() = 1`), so each fire enqueues exactly one job
 * however many pollers run. The job's idempotency key (schedule + fire time)
 * guards a second time; the fire counts as a run (runs_total, last_run_at)
 * only if its job was really inserted. Returns whether this poller claimed
 * the fire, and whether a job was enqueued for it.
 */
export async function fireSchedule(engine: Engine, fire: Fire): Promise<{ claimed: boolean; enqueued: boolean }> {
  const claim: Statement = {
    sql: `UPDATE cron_jobs SET next_run_at = ?, runs_missed = runs_missed + ?, last_missed_at = CASE WHEN ? > 0 THEN ? ELSE last_missed_at END,
          updated_at = ? WHERE name = ? AND enabled = 1 AND next_run_at = ? RETURNING name`,
    args: [fire.nextRunAt, fire.missed, fire.missed, fire.now, fire.now, fire.name, fire.expectedNextRunAt],
  };
  if (!fire.job) return { claimed: (await engine.batch([claim]))[0].length === 1, enqueued: false };
  const enqueue: Statement = {
    // Not if a live job holds its key already (a fire enqueued by hand or by an older poller).
    sql: `INSERT INTO jobs (${jobInsertColumns}) SELECT ${jobInsertValues} WHERE changes() = 1 AND NOT EXISTS (${liveKeyHolder})
          RETURNING id`,
    args: [...jobInsertArgs(fire.job, fire.now), fire.job.idempotencyKey],
  };
  const count: Statement = {
    sql: `UPDATE cron_jobs SET runs_total = runs_total + 1, last_run_at = ? WHERE name = ? AND changes() = 1`,
    args: [fire.fireAt, fire.name],
  };
  const grant = fire.job.concurrencyKey ? [grantSlotsStatement(fire.job.concurrencyKey)] : [];
  const [claimed, inserted] = await engine.batch([claim, enqueue, count, ...grant]);
  return { claimed: claimed.length === 1, enqueued: inserted.length === 1 };
}

/** Enqueues a schedule's job now, by hand, counted as a run; not_found if the schedule is gone. */
export async function runScheduleNow(engine: Engine, name: string, job: NewJob, now: number): Promise<void> {
  const [counted] = await engine.batch([
    { sql: `UPDATE cron_jobs SET runs_total = runs_total + 1, updated_at = ? WHERE name = ? RETURNING name`, args: [now, name] },
    { sql: `INSERT INTO jobs (${jobInsertColumns}) SELECT ${jobInsertValues} WHERE changes() = 1`, args: jobInsertArgs(job, now) },
    ...(job.concurrencyKey ? [grantSlotsStatement(job.concurrencyKey)] : []),
  ]);
  if (counted.length === 0) throw new JobsError('not_found', `No schedule named "${name}"`);
}
