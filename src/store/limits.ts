import type { Engine, Statement } from '../db/engine';
import type { QueueLimitRow } from '../db/schema';
import { readyWithSlot } from './rows';

/**
 * Grants free slots of concurrency keys to the jobs waiting for them (scheduled
 * 4 -> ready), in priority, run_at, id order per key. A key's slots are held by
 * its granted and running jobs; a job may take one while fewer than its
 * `concurrency_limit` are held. One UPDATE, so grants from any number of
 * workers at once can never hand out more slots than there are. `key` narrows
 * it to one key (after one of its jobs ended); without it, every key (a sweep).
 */
export function grantSlotsStatement(key?: string | null): Statement {
  const scope = key ? `AND concurrency_key = ?` : '';
  return {
    sql: `WITH held AS (
            SELECT concurrency_key AS key, count(*) AS n FROM jobs INDEXED BY jobs_slot_idx
            WHERE concurrency_key IS NOT NULL AND (state = 'running' OR (state = 'pending' AND scheduled IN (0, 5))) ${scope}
            GROUP BY concurrency_key),
          ranked AS (
            SELECT w.id, w.concurrency_key AS key, w.concurrency_limit AS lim,
                   row_number() OVER (PARTITION BY w.concurrency_key ORDER BY w.priority DESC, w.run_at, w.id) AS rank
            FROM jobs w INDEXED BY jobs_waiting_idx
            WHERE w.state = 'pending' AND w.scheduled = 4 ${scope}
              AND NOT EXISTS (SELECT 1 FROM paused_queues p WHERE p.queue = w.queue))
          UPDATE jobs SET scheduled = ${readyWithSlot}
          WHERE id IN (SELECT r.id FROM ranked r LEFT JOIN held h ON h.key = r.key WHERE r.rank + coalesce(h.n, 0) <= r.lim)
            AND state = 'pending' AND scheduled = 4
          RETURNING id`,
    args: key ? [key, key] : [],
  };
}

/**
 * Grants free slots of the given keys (say, of jobs just released or taken
 * back), in one batch; nothing when no key is given.
 */
export async function grantSlotsOf(engine: Engine, keys: (string | null)[]): Promise<void> {
  const distinct = [...new Set(keys.filter((key): key is string => Boolean(key)))];
  if (distinct.length) await engine.batch(distinct.map((key) => grantSlotsStatement(key)));
}

/** Runs grantSlotsStatement by itself; returns the ids granted. */
export async function grantSlots(engine: Engine, key?: string | null): Promise<string[]> {
  const { sql, args } = grantSlotsStatement(key);
  return (await engine.all<{ id: string }>(sql, args)).map((r) => r.id);
}

/**
 * Limits a queue to `max` job starts in any `durationMs`, across every worker:
 * its ready jobs move to the rate-limited claim (scheduled 5). Replaces an
 * earlier limit of the queue. One batch.
 */
export async function setQueueRateLimit(engine: Engine, args: { queue: string; max: number; durationMs: number; now: number }): Promise<void> {
  await engine.batch([
    {
      sql: `INSERT INTO queue_limits (queue, rate_max, rate_duration_ms, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (queue) DO UPDATE SET rate_max = excluded.rate_max, rate_duration_ms = excluded.rate_duration_ms, updated_at = excluded.updated_at`,
      args: [args.queue, args.max, args.durationMs, args.now],
    },
    { sql: `UPDATE jobs INDEXED BY jobs_queue_claim_idx SET scheduled = 5 WHERE state = 'pending' AND scheduled = 0 AND queue = ?`, args: [args.queue] },
  ]);
}

/** Lifts a queue's rate limit: its waiting jobs return to the ordinary claim. False if it had none. */
export async function clearQueueRateLimit(engine: Engine, queue: string): Promise<boolean> {
  const [removed] = await engine.batch([
    { sql: `DELETE FROM queue_limits WHERE queue = ? RETURNING queue`, args: [queue] },
    { sql: `UPDATE jobs INDEXED BY jobs_rate_claim_idx SET scheduled = 0 WHERE state = 'pending' AND scheduled = 5 AND queue = ?`, args: [queue] },
    { sql: `DELETE FROM queue_rate_starts WHERE queue = ?`, args: [queue] },
  ]);
  return removed.length === 1;
}

/** Read-only. Every queue's rate limit. */
export async function listQueueLimits(engine: Engine): Promise<QueueLimitRow[]> {
  const rows = await engine.all<{ queue: string; rate_max: number; rate_duration_ms: number; updated_at: number }>(
    `SELECT queue, rate_max, rate_duration_ms, updated_at FROM queue_limits ORDER BY queue`,
  );
  return rows.map((r) => ({ queue: r.queue, rateMax: Number(r.rate_max), rateDurationMs: Number(r.rate_duration_ms), updatedAt: Number(r.updated_at) }));
}
