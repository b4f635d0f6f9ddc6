import { getTableColumns, type Table } from 'drizzle-orm';
import { jobs, type JobRow } from '../db/schema';
import type { Row } from '../db/engine';

/** (column, key) of each of `keys` of a table, or of all its columns. */
function columnPairs(table: Table, keys?: readonly string[]): (readonly [string, string])[] {
  const columns = getTableColumns(table);
  return (keys ?? Object.keys(columns)).map((key) => [columns[key].name, key] as const);
}

/** Maps rows read with hand-written SQL (snake_case) to Drizzle's row shape (camelCase), of `keys` only if given. */
function rowMapper<T>(table: Table, keys?: readonly string[]): (row: Row) => T {
  const pairs = columnPairs(table, keys);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const [column, key] of pairs) out[key] = row[column] ?? null;
    return out as T;
  };
}

export const toJobRow = rowMapper<JobRow>(jobs);

/** The `scheduled` value of a pending job that waits for the jobs it depends on (see the jobs table). */
export const blockedByParents = 3;

const queuePaused = `EXISTS (SELECT 1 FROM paused_queues p WHERE p.queue = jobs.queue)`;
const queueRateLimited = `EXISTS (SELECT 1 FROM queue_limits l WHERE l.queue = jobs.queue)`;

/**
 * The `scheduled` value of a pending job that is due and holds a slot of its
 * concurrency key (or has none): 2 while its queue is paused, 5 in a
 * rate-limited queue, else 0 (claimable).
 */
export const readyWithSlot = `CASE WHEN ${queuePaused} THEN 2 WHEN ${queueRateLimited} THEN 5 ELSE 0 END`;

/**
 * The `scheduled` value of a pending job that is due: as readyWithSlot, except
 * that a job with a concurrency key first waits for a slot (4), granted by
 * grantSlotsStatement.
 */
export const readyState = `CASE WHEN ${queuePaused} THEN 2 WHEN jobs.concurrency_key IS NOT NULL THEN 4 WHEN ${queueRateLimited} THEN 5 ELSE 0 END`;

/** The jobs columns, for RETURNING lists that must match toJobRow. */
export const jobColumns = columnPairs(jobs).map(([column]) => column).join(', ');

/**
 * What a worker needs of a job it claimed to run and settle it. A worker's
 * claim returns only these columns: each column SQLite returns, and each key
 * the row object gets, is paid for every job (all 31 cost about 14 us a claim,
 * these about 10).
 */
const claimedKeys = ['id', 'name', 'params', 'attempts', 'maxAttempts', 'backoff', 'timeoutMs', 'scheduleName', 'hasDependents', 'concurrencyKey'] as const;
export type ClaimedJob = Pick<JobRow, (typeof claimedKeys)[number]>;

/** The RETURNING list of a worker's claim, matching toClaimedJob. */
export const claimedColumns = columnPairs(jobs, claimedKeys).map(([column]) => column).join(', ');
export const toClaimedJob = rowMapper<ClaimedJob>(jobs, claimedKeys);
