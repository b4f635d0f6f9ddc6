import type { Engine, SqlArg, Statement } from '../db/engine';
import type { JobRow } from '../db/schema';
import { grantSlotsStatement } from './limits';
import { blockedByParents, claimedColumns, jobColumns, readyState, toClaimedJob, toJobRow, type ClaimedJob } from './rows';

export interface ClaimArgs {
  workerId: string;
  /** Queues in the order they are served; empty takes every queue. */
  queues: readonly string[];
  limit: number;
  now: number;
  leaseMs: number;
  /**
   * The job names the worker can run; jobs of other names are left for workers
   * that can (a rolling deploy, a job class added while a worker runs). Omitted: every name.
   */
  names?: readonly string[];
}

/** The names filter of a claim's SELECT, and its argument. */
function namesFilter(names: readonly string[] | undefined): { sql: string; args: string[] } {
  return names ? { sql: ' AND name IN (SELECT value FROM json_each(?))', args: [JSON.stringify(names)] } : { sql: '', args: [] };
}

const claimSet = `SET state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, started_at = ?,
  progress = 0, progress_message = NULL`;
const claimOrder = 'ORDER BY priority DESC, run_at, id';

/**
 * Up to this many jobs are claimed by as many one-row claims, each
 * `WHERE id = (one seek of the claim index)`; more by one `WHERE id IN (...)`
 * claim. SQLite runs the one-row form in one pass, about 10 us a job (with
 * the worker's columns) and under 2 us when nothing is due, while the IN form
 * costs about 70 us before its first row (also when nothing is due) and about
 * 8 us a row after; at 16 jobs the one-row claims still win, from about 20 the
 * IN form does (`npm run bench:claim-forms`).
 */
export const oneRowClaimsUpTo = 16;

/** Where the claim looks: every queue, or one; the names filter is appended to `where`. */
export interface ClaimScope {
  index: 'jobs_claim_idx' | 'jobs_queue_claim_idx';
  where: string;
  args: SqlArg[];
}

export function claimScope(queue: string | null, names: readonly string[] | undefined): ClaimScope {
  const filter = namesFilter(names);
  return queue === null
    ? { index: 'jobs_claim_idx', where: `state = 'pending' AND scheduled = 0${filter.sql}`, args: filter.args }
    : { index: 'jobs_queue_claim_idx', where: `state = 'pending' AND scheduled = 0 AND queue = ?${filter.sql}`, args: [queue, ...filter.args] };
}

/** The SELECT of a scope's best due jobs, in claim order, without its LIMIT. */
const claimPickSql = (scope: ClaimScope) => `SELECT id FROM jobs INDEXED BY ${scope.index} WHERE ${scope.where} ${claimOrder}`;

/**
 * The statements that claim up to `limit` jobs of a scope, best first; run
 * in order in one transaction they take what one `LIMIT limit` claim would.
 * Exported so a test can prove both forms' plans and order.
 */
export function claimStatements(scope: ClaimScope, lease: SqlArg[], limit: number, returning = jobColumns): Statement[] {
  const pick = claimPickSql(scope);
  if (limit > oneRowClaimsUpTo) {
    return [{ sql: `UPDATE jobs ${claimSet} WHERE id IN (${pick} LIMIT ?) RETURNING ${returning}`, args: [...lease, ...scope.args, limit] }];
  }
  const one = { sql: `UPDATE jobs ${claimSet} WHERE id = (${pick} LIMIT 1) RETURNING ${returning}`, args: [...lease, ...scope.args] };
  return Array.from({ length: limit }, () => one);
}

/** Runs claim statements: one as a plain statement (no transaction around it), several as one batch. */
async function runClaim(engine: Engine, statements: Statement[]): Promise<JobRow[]> {
  if (statements.length === 0) return [];
  const results = statements.length === 1 ? [await engine.all(statements[0].sql, statements[0].args)] : await engine.batch(statements);
  return results.flat().map(toJobRow);
}

// INDEXED BY pins each plan: without ANALYZE statistics SQLite may prefer an index on
// state alone and sort every pending row. SQLite refuses to run a pinned statement
// whose index cannot serve it, so a plan can never silently degrade.

/** The claim's SELECT part, as claimStatements builds it, exported so a test can prove its plan is one index seek. */
export const claimSelectSql = {
  anyQueue: `${claimPickSql(claimScope(null, undefined))} LIMIT ?`,
  oneQueue: `${claimPickSql(claimScope('', undefined))} LIMIT ?`, // any queue name: only the SQL is used
};

/**
 * Claims up to `limit` due pending jobs for a worker, highest priority first,
 * then earliest run_at, then oldest id. Each claim is one write (one UPDATE,
 * or up to oneRowClaimsUpTo one-row UPDATEs in one transaction), so no two
 * workers in any process can claim the same job; the worker owns what
 * it gets until `now + leaseMs` unless it renews the lease. Queues are served
 * in the order given, as Solid Queue does; each is one index seek.
 */
export async function claimJobs(engine: Engine, args: ClaimArgs): Promise<JobRow[]> {
  const lease = [args.workerId, args.now + args.leaseMs, args.now];
  if (args.queues.length === 0) return runClaim(engine, claimStatements(claimScope(null, args.names), lease, args.limit));
  const claimed: JobRow[] = [];
  for (const queue of args.queues) {
    claimed.push(...(await runClaim(engine, claimStatements(claimScope(queue, args.names), lease, args.limit - claimed.length))));
    if (claimed.length >= args.limit) break;
  }
  return claimed;
}

/**
 * claimJobs over every queue, its size read when its transaction begins: on a
 * file it commits with the batches asked for in the same event-loop turn, so
 * a worker whose slots were just freed by finishing jobs claims their
 * successors in the settles' commit, and a slot freed in that turn still
 * counts. `limit` is read once, then; the jobs (the columns a worker needs
 * to run them) and that number come back.
 */
export async function claimJobsWhenCommitting(
  engine: Engine, args: Omit<ClaimArgs, 'queues' | 'limit'> & { limit: () => number },
): Promise<{ jobs: ClaimedJob[]; asked: number }> {
  const scope = claimScope(null, args.names);
  let asked = 0;
  const results = await engine.deferredBatch(() => {
    asked = Math.max(0, args.limit());
    return claimStatements(scope, [args.workerId, args.now + args.leaseMs, args.now], asked, claimedColumns);
  });
  return { jobs: results.flat().map(toClaimedJob), asked };
}

/**
 * A rate-limited queue's starts are kept this much longer than its window, so
 * that a worker whose clock reads a little behind still counts them.
 */
const rateLedgerMarginMs = 60_000;

export interface RateLimitedClaim {
  jobs: JobRow[];
  /** When the queue's window lets another job start, if jobs still wait for it; else null. */
  nextStartAt: number | null;
}

/**
 * Claims up to `limit` jobs of a rate-limited queue, no more than its rate
 * leaves: the starts recorded in the last `rate_duration_ms` count against
 * `rate_max`. The starts are recorded in the same batch (first, picking the
 * jobs; then those jobs are claimed), so that claims from any number of workers
 * at once never start more than `rate_max` jobs in any window of that length.
 */
export async function claimRateLimitedJobs(engine: Engine, args: ClaimArgs & { queue: string }): Promise<RateLimitedClaim> {
  const { queue, now } = args;
  const names = namesFilter(args.names);
  const [, claimed, , next] = await engine.batch([
    {
      sql: `INSERT INTO queue_rate_starts (queue, job_id, started_at)
            SELECT queue, id, ? FROM jobs INDEXED BY jobs_rate_claim_idx WHERE state = 'pending' AND scheduled = 5 AND queue = ?${names.sql}
            ORDER BY priority DESC, run_at, id
            LIMIT max(0, min(?, coalesce((SELECT l.rate_max - (SELECT count(*) FROM queue_rate_starts s INDEXED BY queue_rate_starts_idx
                                                               WHERE s.queue = l.queue AND s.started_at > ? - l.rate_duration_ms)
                                          FROM queue_limits l WHERE l.queue = ?), 0)))`,
      args: [now, queue, ...names.args, args.limit, now, queue],
    },
    {
      // The rows the INSERT just added: consecutive rowids ending at last_insert_rowid().
      sql: `UPDATE jobs ${claimSet}
            WHERE id IN (SELECT job_id FROM queue_rate_starts WHERE id > last_insert_rowid() - changes() AND id <= last_insert_rowid()
                           AND queue = ? AND started_at = ?)
              AND state = 'pending' AND scheduled = 5
            RETURNING ${jobColumns}`,
      args: [args.workerId, now + args.leaseMs, now, queue, now],
    },
    {
      sql: `DELETE FROM queue_rate_starts INDEXED BY queue_rate_starts_idx
            WHERE queue = ? AND started_at < ? - (SELECT rate_duration_ms FROM queue_limits WHERE queue = ?) - ?`,
      args: [queue, now, queue, rateLedgerMarginMs],
    },
    {
      // No row once the limit is gone; no time while nothing waits or the window is empty.
      sql: `SELECT (SELECT min(s.started_at) FROM queue_rate_starts s INDEXED BY queue_rate_starts_idx
                    WHERE s.queue = l.queue AND s.started_at > ? - l.rate_duration_ms) + l.rate_duration_ms AS next_start_at
            FROM queue_limits l
            WHERE l.queue = ? AND EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_rate_claim_idx WHERE state = 'pending' AND scheduled = 5 AND queue = l.queue)`,
      args: [now, queue],
    },
  ]);
  const nextStartAt = next[0]?.next_start_at;
  return {
    jobs: claimed.map(toJobRow),
    nextStartAt: nextStartAt == null ? null : Math.max(Number(nextStartAt), now + 1),
  };
}

/**
 * Claims one named job if it is pending, whether due or not (running a job by
 * hand means now), unless it still waits for the jobs it depends on. Returns
 * null when it is not pending or still blocked.
 */
export async function claimJobById(engine: Engine, args: { id: string; workerId: string; now: number; leaseMs: number }): Promise<JobRow | null> {
  const rows = await engine.all(
    `UPDATE jobs ${claimSet}, scheduled = 0 WHERE id = ? AND state = 'pending' AND scheduled != ${blockedByParents} RETURNING ${jobColumns}`,
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
  const [promoted] = await engine.batch([
    { sql: `UPDATE jobs INDEXED BY jobs_due_idx SET scheduled = ${readyState} WHERE state = 'pending' AND scheduled = 1 AND run_at <= ? RETURNING id`, args: [now] },
    // Keyed jobs among them wait for a slot; this is also every worker's regular sweep of the slots.
    grantSlotsStatement(),
  ]);
  return promoted.length;
}

/** When the next scheduled job comes due, or null when none waits. */
export async function nextScheduledAt(engine: Engine): Promise<number | null> {
  const rows = await engine.all<{ next: number | null }>(
    `SELECT min(run_at) AS next FROM jobs INDEXED BY jobs_due_idx WHERE state = 'pending' AND scheduled = 1`,
  );
  return rows[0]?.next ?? null;
}
