import type { Engine } from '../db/engine';
import type { JobRow } from '../db/schema';
import { jobColumns, readyUnlessPaused, toJobRow } from './rows';

export interface ClaimArgs {
  workerId: string;
  /** Queues in the order they are served; empty takes every queue. */
  queues: readonly string[];
  limit: number;
  now: number;
  leaseMs: number;
}

const claimSet = `SET state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, started_at = ?,
  progress = 0, progress_message = NULL`;
const claimAnySql = `UPDATE jobs ${claimSet}
  WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_claim_idx WHERE state = 'pending' AND scheduled = 0
               ORDER BY priority DESC, run_at, id LIMIT ?)
  RETURNING ${jobColumns}`;
const claimQueueSql = `UPDATE jobs ${claimSet}
  WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_queue_claim_idx WHERE state = 'pending' AND scheduled = 0 AND queue = ?
               ORDER BY priority DESC, run_at, id LIMIT ?)
  RETURNING ${jobColumns}`;

// INDEXED BY pins each plan: without ANALYZE statistics SQLite may prefer an index on
// state alone and sort every pending row. SQLite refuses to run a pinned statement
// whose index cannot serve it, so a plan can never silently degrade.

/** The claim's SELECT part, exported so a test can prove its plan is one index seek. */
export const claimSelectSql = {
  anyQueue: `SELECT id FROM jobs INDEXED BY jobs_claim_idx WHERE state = 'pending' AND scheduled = 0 ORDER BY priority DESC, run_at, id LIMIT ?`,
  oneQueue: `SELECT id FROM jobs INDEXED BY jobs_queue_claim_idx WHERE state = 'pending' AND scheduled = 0 AND queue = ? ORDER BY priority DESC, run_at, id LIMIT ?`,
};

/**
 * Claims up to `limit` due pending jobs for a worker, highest priority first,
 * then earliest run_at, then oldest id. Each claim is one UPDATE statement, so
 * no two workers in any process can claim the same job; the worker owns what
 * it gets until `now + leaseMs` unless it renews the lease. Queues are served
 * in the order given, as Solid Queue does; each is one index seek.
 */
export async function claimJobs(engine: Engine, args: ClaimArgs): Promise<JobRow[]> {
  const lease = [args.workerId, args.now + args.leaseMs, args.now];
  if (args.queues.length === 0) {
    return (await engine.all(claimAnySql, [...lease, args.limit])).map(toJobRow);
  }
  const claimed: JobRow[] = [];
  for (const queue of args.queues) {
    const rows = await engine.all(claimQueueSql, [...lease, queue, args.limit - claimed.length]);
    claimed.push(...rows.map(toJobRow));
    if (claimed.length >= args.limit) break;
  }
  return claimed;
}

/**
 * Claims one named job if it is pending, whether due or not (running a job by
 * hand means now). Returns null when it is not pending.
 */
export async function claimJobById(engine: Engine, args: { id: string; workerId: string; now: number; leaseMs: number }): Promise<JobRow | null> {
  const rows = await engine.all(
    `UPDATE jobs ${claimSet}, scheduled = 0 WHERE id = ? AND state = 'pending' RETURNING ${jobColumns}`,
    [args.workerId, args.now + args.leaseMs, args.now, args.id],
  );
  return rows.length ? toJobRow(rows[0]) : null;
}

/**
 * Moves scheduled jobs whose time has come into the claim index. Kept apart
 * from the claim so that thousands of not-yet-due jobs never sit in front of
 * due ones in the claim's index order. Returns how many it moved.
 */
export async function promoteDueJobs(engine: Engine, now: number): Promise<number> {
  return engine.run(`UPDATE jobs INDEXED BY jobs_due_idx SET scheduled = ${readyUnlessPaused}
    WHERE state = 'pending' AND scheduled = 1 AND run_at <= ?`, [now]);
}

/** When the next scheduled job comes due, or null when none waits. */
export async function nextScheduledAt(engine: Engine): Promise<number | null> {
  const rows = await engine.all<{ next: number | null }>(
    `SELECT min(run_at) AS next FROM jobs INDEXED BY jobs_due_idx WHERE state = 'pending' AND scheduled = 1`,
  );
  return rows[0]?.next ?? null;
}
