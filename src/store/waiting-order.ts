import type { SqlArg } from '../db/engine';
import type { JobRow } from '../db/schema';

/**
 * Jobs ahead of a job are counted up to this many (and a little past it, so
 * that "more than" is known): the count stays a bounded index walk however
 * long the queue is. A person needs "1000+", not 734,512.
 */
export const aheadCountCap = 1_000;

/**
 * The orders a ready or waiting job has a place in, each an index ordered
 * (…, priority DESC, run_at, id) whose leading columns `scope` fixes with one
 * argument: a queue's claim (jobs_queue_claim_idx), a concurrency key's grant
 * (jobs_waiting_idx; jobs in paused queues get no grant, so they are not
 * ahead), and a rate-limited queue's claim (jobs_rate_claim_idx).
 */
export const waitingOrders = {
  claim: { index: 'jobs_queue_claim_idx', scope: `state = 'pending' AND scheduled = 0 AND queue = ?` },
  slot: {
    index: 'jobs_waiting_idx',
    scope: `state = 'pending' AND scheduled = 4 AND concurrency_key = ? AND NOT EXISTS (SELECT 1 FROM paused_queues p WHERE p.queue = jobs.queue)`,
  },
  rate: { index: 'jobs_rate_claim_idx', scope: `state = 'pending' AND scheduled = 5 AND queue = ?` },
} as const;

/**
 * How many jobs come before `job` in one of waitingOrders: those of higher
 * priority, and those of its priority with an earlier (run_at, id). Two range
 * seeks of the index (tests read their plans), each stopped past aheadCountCap entries.
 */
export function aheadIn(order: keyof typeof waitingOrders, scopeArg: SqlArg, job: Pick<JobRow, 'priority' | 'runAt' | 'id'>): { sql: string; args: SqlArg[] } {
  const { index, scope } = waitingOrders[order];
  const capped = (where: string) => `(SELECT count(*) FROM (SELECT 1 FROM jobs INDEXED BY ${index} WHERE ${scope} AND ${where} LIMIT ${aheadCountCap + 1}))`;
  return {
    sql: `${capped('priority > ?')} + ${capped('priority = ? AND (run_at, id) < (?, ?)')}`,
    args: [scopeArg, job.priority, scopeArg, job.priority, job.runAt, job.id],
  };
}
