import type { Engine, Statement } from '../db/engine';

/** Who made a change: the role of the API token or page session, or bin/jobs. */
export type Actor = 'admin' | 'readonly' | 'cli';

/** One change to record. */
export interface ActivityEntry {
  actor: Actor;
  /** What, as noun.verb: job.cancel, job.retry, queue.pause, schedule.add, session.login ... */
  action: string;
  /** The queue or schedule it was about. */
  target?: string | null;
  /** The jobs it touched; the first activityMaxJobIds are kept. */
  jobIds?: readonly string[];
  /** How many jobs it touched, when more than the ids given (a bulk action over a filter); default jobIds.length. */
  jobCount?: number;
  details?: Record<string, unknown>;
}

/** One entry as stored; `at` in epoch ms. */
export interface Activity {
  id: number;
  at: number;
  actor: Actor;
  action: string;
  target: string | null;
  jobIds: string[];
  jobCount: number;
  details: Record<string, unknown> | null;
}

/** Job ids kept per entry: a bulk retry of a million jobs records the count, not a million ids. */
export const activityMaxJobIds = 1_000;

/** The INSERT of one entry, for a caller that puts it in the same write batch as its change. */
export function activityStatement(entry: ActivityEntry, now: number): Statement {
  const ids = entry.jobIds ?? [];
  return {
    sql: `INSERT INTO activity (at, actor, action, target, job_ids, job_count, details) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    args: [
      now, entry.actor, entry.action, entry.target ?? null,
      ids.length ? JSON.stringify(ids.slice(0, activityMaxJobIds)) : null,
      entry.jobCount ?? ids.length,
      entry.details ? JSON.stringify(entry.details) : null,
    ],
  };
}

/** Appends one entry to the action log in one statement; returns its id. */
export async function appendActivity(engine: Engine, entry: ActivityEntry, now: number): Promise<number> {
  const { sql, args } = activityStatement(entry, now);
  const [row] = await engine.all<{ id: number }>(sql, args);
  return Number(row.id);
}

/**
 * Read-only. The newest entries first, `limit` of them, older than the entry
 * `before` (the previous page's `nextBefore`). A keyset on the rowid: pages
 * stay stable while entries are added, and each is one walk of the table's b-tree.
 */
export async function listActivity(engine: Engine, args: { limit: number; before?: number }): Promise<{ entries: Activity[]; nextBefore: number | null }> {
  const rows = await engine.all<Record<string, unknown>>(
    `SELECT id, at, actor, action, target, job_ids, job_count, details FROM activity
     WHERE id < ? ORDER BY id DESC LIMIT ?`,
    [args.before ?? Number.MAX_SAFE_INTEGER, args.limit + 1],
  );
  const entries = rows.slice(0, args.limit).map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor as Actor,
    action: String(r.action),
    target: (r.target as string | null) ?? null,
    jobIds: r.job_ids ? (JSON.parse(String(r.job_ids)) as string[]) : [],
    jobCount: Number(r.job_count),
    details: r.details ? (JSON.parse(String(r.details)) as Record<string, unknown>) : null,
  }));
  return { entries, nextBefore: rows.length > args.limit ? entries[entries.length - 1].id : null };
}
