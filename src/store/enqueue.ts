import { sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Engine, SqlArg, Statement } from '../db/engine';
import { jobs } from '../db/schema';
import { resolveDependents } from './dependencies';
import { grantSlotsStatement } from './limits';

export interface NewJob {
  id: string;
  name: string;
  queue: string;
  priority: number;
  /** JSON text, already validated and size-checked. */
  params: string;
  maxAttempts: number;
  /** JSON StoredBackoff, or null for the defaults. */
  backoff: string | null;
  timeoutMs: number;
  runAt: number;
  idempotencyKey: string | null;
  /** The cron schedule enqueuing it, if any. */
  scheduleName?: string | null;
  /** Jobs it waits for (ids that exist), and what to do if one of them fails or is cancelled. */
  dependsOn?: string[];
  parentFailure?: 'fail' | 'run';
  /** Jobs sharing this key run at most `concurrencyLimit` at a time, across every worker. */
  concurrencyKey?: string | null;
  concurrencyLimit?: number | null;
  /** A person's title and description for this one job; null or absent for none. */
  title?: string | null;
  description?: string | null;
}

export const jobInsertColumns =
  'id, name, queue, state, scheduled, priority, params, max_attempts, backoff, timeout_ms, run_at, created_at, idempotency_key, schedule_name, parent_failure, concurrency_key, concurrency_limit, title, description';
// scheduled: waiting for its run_at (1), parked in a paused queue (2), waiting for a slot of its
// concurrency key (4), ready in a rate-limited queue (5), or ready to claim (0). As readyState.
export const jobInsertValues = `?, ?, ?, 'pending',
  CASE WHEN ? > ? THEN 1 WHEN EXISTS (SELECT 1 FROM paused_queues WHERE queue = ?) THEN 2 WHEN ? IS NOT NULL THEN 4
       WHEN EXISTS (SELECT 1 FROM queue_limits WHERE queue = ?) THEN 5 ELSE 0 END,
  ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`;
const insertSql = `INSERT INTO jobs (${jobInsertColumns}) VALUES (${jobInsertValues})`;
// With a key, a live job holding it wins: the insert is skipped, and the select after it hands back
// that job's id (or the new one's). Not an upsert on the partial unique index, which tursodb cannot
// target; inside the batch's write transaction the check and the insert see the same rows, and the
// index still refuses a second live holder.
export const liveKeyHolder = `SELECT id FROM jobs WHERE idempotency_key = ? AND state IN ('pending', 'running')`;
const insertKeyedSql = `INSERT INTO jobs (${jobInsertColumns}) SELECT ${jobInsertValues} WHERE NOT EXISTS (${liveKeyHolder})`;

/** The values for jobInsertColumns, in order. */
export function jobInsertArgs(job: NewJob, now: number): SqlArg[] {
  return [
    job.id, job.name, job.queue, job.runAt, now, job.queue, job.concurrencyKey ?? null, job.queue, job.priority, job.params,
    job.maxAttempts, job.backoff, job.timeoutMs, job.runAt, now, job.idempotencyKey, job.scheduleName ?? null,
    job.dependsOn?.length ? (job.parentFailure ?? 'fail') : null, job.concurrencyKey ?? null, job.concurrencyKey ? (job.concurrencyLimit ?? 1) : null,
    job.title ?? null, job.description ?? null,
  ];
}

/** The job's insert, and for a keyed job the select of the key's live holder; the id is read from the last of them. */
function insertOnly(job: NewJob, now: number): Statement[] {
  if (!job.idempotencyKey) return [{ sql: insertSql, args: jobInsertArgs(job, now) }];
  return [
    { sql: insertKeyedSql, args: [...jobInsertArgs(job, now), job.idempotencyKey] },
    { sql: liveKeyHolder, args: [job.idempotencyKey] },
  ];
}

function insertStatements(job: NewJob, now: number): Statement[] {
  const insert = insertOnly(job, now);
  if (!job.dependsOn?.length) return insert;
  const parents = JSON.stringify(job.dependsOn);
  // Only if the insert stored this id: a live job holding its idempotency key may have won instead.
  const stored = `EXISTS (SELECT 1 FROM jobs WHERE id = ?)`;
  return [
    ...insert,
    { sql: `INSERT OR IGNORE INTO job_dependencies (job_id, parent_id) SELECT ?, value FROM json_each(?) WHERE ${stored}`, args: [job.id, parents, job.id] },
    { sql: `UPDATE jobs SET has_dependents = 1 WHERE id IN (SELECT value FROM json_each(?)) AND has_dependents = 0 AND ${stored}`, args: [parents, job.id] },
    // Blocked until its parents end; resolveDependents decides then (and at once, if they already have).
    { sql: `UPDATE jobs SET scheduled = 3 WHERE id = ? AND state = 'pending'`, args: [job.id] },
  ];
}

/**
 * Inserts jobs as `pending`, all or none, in one write batch (one round trip
 * to a server). A job whose run_at is in the future is marked scheduled and
 * stays out of the claim index until a worker promotes it; one in a paused
 * queue stays out until the queue is resumed. Returns each job's
 * id in order; for an idempotency key held by a live job, that job's id.
 */
export async function enqueueJobs(engine: Engine, list: NewJob[], now: number): Promise<string[]> {
  if (list.length === 1 && !list[0].idempotencyKey && !list[0].dependsOn?.length && !list[0].concurrencyKey) {
    const [{ sql: text, args }] = insertStatements(list[0], now);
    await engine.run(text, args);
    return [list[0].id];
  }
  const perJob = list.map((job) => insertStatements(job, now));
  // Jobs with a concurrency key take free slots at once, in priority order among all that wait.
  const keys = [...new Set(list.map((job) => job.concurrencyKey).filter((key): key is string => Boolean(key)))];
  const results = await engine.batch([...perJob.flat(), ...keys.map((key) => grantSlotsStatement(key))]);
  const blocked = list.filter((job) => job.dependsOn?.length).map((job) => job.id);
  if (blocked.length) await resolveDependents(engine, { jobIds: blocked, now });
  let at = 0;
  return list.map((job, i) => {
    const first = at;
    at += perJob[i].length;
    // A keyed job's second statement selects its key's live holder: this job, or the one that had the key.
    return job.idempotencyKey ? String(results[first + 1][0].id) : job.id;
  });
}

/** Any Drizzle SQLite database or transaction, sync or async. */
type AnyDrizzle = Pick<BaseSQLiteDatabase<'sync' | 'async', unknown>, 'insert'>;

/**
 * Inserts one job inside the caller's own Drizzle transaction, so that it
 * commits or rolls back with the app's writes. Same guarantees as enqueueJobs.
 * On a synchronous driver (better-sqlite3) the insert runs before this
 * returns, because such a transaction ends when its callback returns.
 */
export function enqueueInTransaction(tx: AnyDrizzle, job: NewJob, now: number): string | Promise<string> {
  const values = {
    id: job.id, name: job.name, queue: job.queue, state: 'pending' as const,
    // As jobInsertValues. A keyed job waits for the next grant (a worker sweeps every poll interval).
    scheduled: job.runAt > now ? 1 : sql<number>`CASE WHEN EXISTS (SELECT 1 FROM paused_queues WHERE queue = ${job.queue}) THEN 2
      WHEN ${job.concurrencyKey ?? null} IS NOT NULL THEN 4 WHEN EXISTS (SELECT 1 FROM queue_limits WHERE queue = ${job.queue}) THEN 5 ELSE 0 END`,
    priority: job.priority, params: job.params, maxAttempts: job.maxAttempts, backoff: job.backoff,
    timeoutMs: job.timeoutMs, runAt: job.runAt, createdAt: now, idempotencyKey: job.idempotencyKey,
    scheduleName: job.scheduleName ?? null,
    concurrencyKey: job.concurrencyKey ?? null,
    concurrencyLimit: job.concurrencyKey ? (job.concurrencyLimit ?? 1) : null,
    title: job.title ?? null,
    description: job.description ?? null,
  };
  const query = tx
    .insert(jobs)
    .values(values)
    .onConflictDoUpdate({
      target: jobs.idempotencyKey,
      targetWhere: sql`idempotency_key IS NOT NULL AND state IN ('pending', 'running')`,
      set: { idempotencyKey: sql`excluded.idempotency_key` },
    })
    .returning({ id: jobs.id });
  const rows = (query as unknown as { all(): { id: string }[] | Promise<{ id: string }[]> }).all();
  return rows instanceof Promise ? rows.then((r) => r[0].id) : rows[0].id;
}
