import type { Engine, Statement } from '../db/engine';
import type { AlertRuleRow, AlertStateRow } from '../db/schema';
import { JobsError } from '../core/errors';
import { jobInsertArgs, jobInsertColumns, jobInsertValues, type NewJob } from './enqueue';
import { liveSince, liveWorker } from './workers';

export type NewAlertRule = Omit<AlertRuleRow, 'createdAt'>;

const ruleColumns = `name, kind, job_name AS jobName, queue, schedule_name AS scheduleName, threshold, window_ms AS windowMs,
  min_count AS minCount, notify, created_at AS createdAt`;

/** Adds a rule, not firing; a taken name is a conflict and changes nothing. */
export async function addAlertRule(engine: Engine, rule: NewAlertRule, now: number): Promise<void> {
  const rows = await engine.all(
    `INSERT INTO alert_rules (name, kind, job_name, queue, schedule_name, threshold, window_ms, min_count, notify, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING name`,
    [rule.name, rule.kind, rule.jobName, rule.queue, rule.scheduleName, rule.threshold, rule.windowMs, rule.minCount, rule.notify, now],
  );
  if (rows.length === 0) throw new JobsError('conflict', `An alert rule named "${rule.name}" already exists`);
}

/** Read-only. Every rule, by name. */
export function listAlertRules(engine: Engine): Promise<AlertRuleRow[]> {
  return engine.all<AlertRuleRow>(`SELECT ${ruleColumns} FROM alert_rules ORDER BY name`);
}

/** Read-only. One rule, or not_found. */
export async function getAlertRule(engine: Engine, name: string): Promise<AlertRuleRow> {
  const [row] = await engine.all<AlertRuleRow>(`SELECT ${ruleColumns} FROM alert_rules WHERE name = ?`, [name]);
  if (!row) throw new JobsError('not_found', `No alert rule named "${name}"`);
  return row;
}

/** Removes a rule and its states in one batch; not_found if none. A notification already enqueued is still sent. */
export async function removeAlertRule(engine: Engine, name: string): Promise<void> {
  const [removed] = await engine.batch([
    { sql: `DELETE FROM alert_rules WHERE name = ? RETURNING name`, args: [name] },
    { sql: `DELETE FROM alert_states WHERE rule_name = ?`, args: [name] },
  ]);
  if (removed.length === 0) throw new JobsError('not_found', `No alert rule named "${name}"`);
}

/** Read-only. The stored states of every rule (or of one), firing ones included. */
export function readAlertStates(engine: Engine, ruleName?: string): Promise<AlertStateRow[]> {
  const columns = `rule_name AS ruleName, subject, firing, since, message, notified_at AS notifiedAt`;
  return ruleName === undefined
    ? engine.all<AlertStateRow>(`SELECT ${columns} FROM alert_states ORDER BY rule_name, subject`)
    : engine.all<AlertStateRow>(`SELECT ${columns} FROM alert_states WHERE rule_name = ? ORDER BY subject`, [ruleName]);
}

export interface AlertTransition {
  ruleName: string;
  subject: string;
  /** The new flag; the compare-and-set expects the opposite. */
  firing: boolean;
  message: string;
  /** The notification's job. */
  job: NewJob;
  now: number;
}

/**
 * Moves one subject of a rule to firing (or back), and enqueues its
 * notification, in one write batch: the state row changes only if its flag
 * is still the opposite (a compare-and-set; a missing row counts as not
 * firing) and the rule still exists, and the job is inserted only if that
 * change happened (`changes() = 1`). So however many pollers judge the rule
 * at once, one of them notifies each start and each clear. Returns whether
 * this caller won.
 */
export async function transitionAlert(engine: Engine, t: AlertTransition): Promise<boolean> {
  const claim: Statement = t.firing
    ? {
      sql: `INSERT INTO alert_states (rule_name, subject, firing, since, message, notified_at)
            SELECT ?, ?, 1, ?, ?, ? WHERE EXISTS (SELECT 1 FROM alert_rules WHERE name = ?)
            ON CONFLICT (rule_name, subject) DO UPDATE SET firing = 1, since = excluded.since,
              message = excluded.message, notified_at = excluded.notified_at
            WHERE alert_states.firing = 0
            RETURNING rule_name`,
      args: [t.ruleName, t.subject, t.now, t.message, t.now, t.ruleName],
    }
    : {
      sql: `UPDATE alert_states SET firing = 0, since = ?, message = ?, notified_at = ?
            WHERE rule_name = ? AND subject = ? AND firing = 1 RETURNING rule_name`,
      args: [t.now, t.message, t.now, t.ruleName, t.subject],
    };
  const enqueue: Statement = {
    sql: `INSERT INTO jobs (${jobInsertColumns}) SELECT ${jobInsertValues} WHERE changes() = 1 RETURNING id`,
    args: jobInsertArgs(t.job, t.now),
  };
  const [claimed] = await engine.batch([claim, enqueue]);
  return claimed.length === 1;
}

/** Read-only. Jobs of a name or queue that completed and failed (all attempts) since `since`, from job_minutes. */
export async function readEndedCounts(engine: Engine, args: { since: number; jobName: string | null; queue: string | null }): Promise<{ completed: number; failed: number }> {
  const [row] = await engine.all<{ completed: number | null; failed: number | null }>(
    `SELECT sum(completed) AS completed, sum(failed) AS failed FROM job_minutes
     WHERE minute >= ? AND (? IS NULL OR name = ?) AND (? IS NULL OR queue = ?)`,
    [Math.floor(args.since / 60_000), args.jobName, args.jobName, args.queue, args.queue],
  );
  return { completed: Number(row?.completed ?? 0), failed: Number(row?.failed ?? 0) };
}

/** Read-only. Per job name, the jobs that failed all their attempts since `since` (names with none left out), from job_minutes. */
export async function readFailedByName(engine: Engine, args: { since: number; jobName: string | null; queue: string | null }): Promise<{ name: string; failed: number }[]> {
  const rows = await engine.all<{ name: string; failed: number }>(
    `SELECT name, sum(failed) AS failed FROM job_minutes
     WHERE minute >= ? AND (? IS NULL OR name = ?) AND (? IS NULL OR queue = ?) GROUP BY name HAVING sum(failed) > 0 ORDER BY name`,
    [Math.floor(args.since / 60_000), args.jobName, args.jobName, args.queue, args.queue],
  );
  return rows.map((r) => ({ name: r.name, failed: Number(r.failed) }));
}

/** Read-only. Queues (all, or one) with jobs ready to claim, and how many, from job_counts. */
export async function readReadyQueues(engine: Engine, queue: string | null): Promise<{ queue: string; ready: number }[]> {
  const rows = await engine.all<{ queue: string; ready: number }>(
    `SELECT queue, sum(n) AS ready FROM job_counts WHERE state = 'pending' AND waiting IN (0, 5) AND n > 0 AND (? IS NULL OR queue = ?)
     GROUP BY queue ORDER BY queue`,
    [queue, queue],
  );
  return rows.map((r) => ({ queue: r.queue, ready: Number(r.ready) }));
}

/** Read-only. Live workers (heartbeating, not stopped) that take jobs from `queue`. */
export async function countWorkersServing(engine: Engine, queue: string, now: number, leaseMs: number): Promise<number> {
  const [row] = await engine.all<{ n: number }>(
    `SELECT count(*) AS n FROM workers INDEXED BY workers_heartbeat_idx
     WHERE ${liveWorker} AND (queues = '*' OR instr(',' || queues || ',', ',' || ? || ',') > 0)`,
    [liveSince(now, leaseMs), queue],
  );
  return Number(row.n);
}

/** Read-only. Schedules (all, or one) with when they last missed a fire and how many they missed in all. */
export async function readScheduleMisses(engine: Engine, name: string | null): Promise<{ name: string; lastMissedAt: number | null; runsMissed: number }[]> {
  return engine.all(
    `SELECT name, last_missed_at AS lastMissedAt, runs_missed AS runsMissed FROM cron_jobs WHERE ? IS NULL OR name = ? ORDER BY name`,
    [name, name],
  );
}
