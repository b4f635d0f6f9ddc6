import type { Engine, Statement } from '../db/engine';
import { runTimeBucketsMs } from './stats';

/**
 * Folds the change feed into the counts (job_counts), per-minute stats
 * (job_minutes) and all-time totals (job_totals). The triggers only append one row per change to job_events,
 * which keeps enqueue, claim and finish cheap; this adds the changes after
 * feed_state.folded to the three tables, a chunk per transaction. Each statement
 * reads the range from feed_state inside the transaction, so folders running
 * at once (every worker, a stats read) add every change exactly once.
 */

/** Changes folded per transaction, so a fold never holds the write lock for long. */
const foldChunk = 20_000;

const range = 'id > (SELECT folded FROM feed_state WHERE id = 1) AND id <= ?';
const waitingOf = `CASE WHEN state = 'pending' THEN scheduled ELSE 0 END`;
// The (state, wait reason) it is counted under changed: an insert, or a move between them.
const countChanged = `(from_state IS NULL OR from_state IS NOT state OR from_waiting IS NOT ${waitingOf})`;
// What job_minutes counts: an end, or an attempt gone back to wait for a retry.
const minuteChange = `from_state IS NOT NULL AND from_state IS NOT state
  AND (state IN ('completed', 'failed', 'cancelled') OR (from_state = 'running' AND state = 'pending'))`;

/** Bucket i of the histogram holds the completed runs in (bound i-1, bound i]; the last one the longer ones. */
const bucketTests = [...runTimeBucketsMs, null].map((bound, i) => {
  const low = i === 0 ? null : runTimeBucketsMs[i - 1];
  return [low === null ? null : `run_ms > ${low}`, bound === null ? null : `run_ms <= ${bound}`].filter(Boolean).join(' AND ');
});
const histogramOfChanges = `json_array(${bucketTests.map((test) => `sum(state = 'completed' AND run_ms IS NOT NULL AND ${test})`).join(', ')})`;
const histogramAdded = `json_array(${bucketTests.map((_, i) => `json_extract(histogram, '$[${i}]') + json_extract(excluded.histogram, '$[${i}]')`).join(', ')})`;

function foldStatements(upTo: number): Statement[] {
  return [
    {
      sql: `INSERT INTO job_counts (queue, state, waiting, n)
        SELECT queue, state, ${waitingOf}, count(*) FROM job_events WHERE ${range} AND ${countChanged} GROUP BY 1, 2, 3
        ON CONFLICT (queue, state, waiting) DO UPDATE SET n = n + excluded.n`,
      args: [upTo],
    },
    {
      sql: `INSERT INTO job_counts (queue, state, waiting, n)
        SELECT queue, from_state, from_waiting, -count(*) FROM job_events WHERE ${range} AND from_state IS NOT NULL AND ${countChanged} GROUP BY 1, 2, 3
        ON CONFLICT (queue, state, waiting) DO UPDATE SET n = n + excluded.n`,
      args: [upTo],
    },
    // An end counts in the minute of its completed_at; a retry has none, and counts in the database's minute.
    outcomesInto('job_minutes', ['minute', 'queue', 'name'], 'coalesce(ended_at, at) / 60000, queue, name', upTo),
    // The same changes summed over all time (GET /api/metrics' counters): job_minutes is pruned after 7 days, these never are.
    outcomesInto('job_totals', ['queue', 'name'], 'queue, name', upTo),
    { sql: 'UPDATE feed_state SET folded = max(folded, ?) WHERE id = 1', args: [upTo] },
  ];
}

/** Read-only. The last change folded, and the newest change. */
export async function foldBounds(engine: Engine): Promise<{ folded: number; newest: number }> {
  const [row] = await engine.all<{ folded: number; newest: number | null }>(
    'SELECT (SELECT folded FROM feed_state WHERE id = 1) AS folded, (SELECT max(id) FROM job_events) AS newest',
  );
  return { folded: Number(row.folded), newest: Number(row.newest ?? 0) };
}

/** Folds every change made so far into the counts and minutes. Returns how many changes it folded (0: nothing to do, no write). */
export async function foldChanges(engine: Engine): Promise<number> {
  const { folded, newest } = await foldBounds(engine);
  for (let from = folded; from < newest; from += foldChunk) await engine.batch(foldStatements(Math.min(from + foldChunk, newest)));
  return Math.max(0, newest - folded);
}

/**
 * Folds before a read of the counts or minutes, so they include every change
 * made so far. If the database is too busy to fold just now, the read goes on
 * with the counts of the last fold (a worker folds every couple of seconds).
 */
export async function foldBeforeReading(engine: Engine): Promise<void> {
  await foldChanges(engine).catch(() => 0);
}

/** Adds the range's ends and retries, grouped by `key` (its columns, then their values from job_events), to `table`'s counters. */
function outcomesInto(table: string, key: string[], keyValues: string, upTo: number): Statement {
  return {
    sql: `INSERT INTO ${table} (${key.join(', ')}, completed, failed, cancelled, retried, run_ms_total, histogram)
      SELECT ${keyValues}, sum(state = 'completed'), sum(state = 'failed'), sum(state = 'cancelled'),
        sum(state = 'pending'), coalesce(sum(CASE WHEN state = 'completed' THEN run_ms END), 0), ${histogramOfChanges}
      FROM job_events WHERE ${range} AND ${minuteChange} GROUP BY ${key.map((_, i) => i + 1).join(', ')}
      ON CONFLICT (${key.join(', ')}) DO UPDATE SET
        completed = completed + excluded.completed, failed = failed + excluded.failed, cancelled = cancelled + excluded.cancelled,
        retried = retried + excluded.retried, run_ms_total = run_ms_total + excluded.run_ms_total, histogram = ${histogramAdded}`,
    args: [upTo],
  };
}
