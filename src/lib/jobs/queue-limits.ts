import { getEngine } from '../../db/client';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { parseRateLimit, type RateLimit } from '../../core/rate';
import { clearQueueRateLimit as clearStored, setQueueRateLimit as store } from '../../store/limits';
import { checkQueue } from './job-spec';

/**
 * Limits a queue to `max` job starts in any `duration`, across every worker
 * (e.g. a third-party API's quota): `setQueueRateLimit('stripe', { max: 100, duration: '1m' })`
 * or `setQueueRateLimit('stripe', '100/1m')`. Persisted; replaces the queue's earlier limit.
 * `bin/jobs queues limit` does the same. Returns the limit as stored.
 */
export async function setQueueRateLimit(queue: string, limit: RateLimitInput): Promise<RateLimit> {
  return storeQueueRateLimit(await getEngine(), queue, limit);
}

/** Lifts a queue's rate limit. Returns false if it had none. */
export async function clearQueueRateLimit(queue: string): Promise<boolean> {
  return liftQueueRateLimit(await getEngine(), queue);
}

export type RateLimitInput = { max: number; duration: number | string } | string;

/** setQueueRateLimit on a given engine: the limit and queue checked, stored, and the workers rung to reread their limits. */
export async function storeQueueRateLimit(engine: Engine, queue: string, limit: RateLimitInput): Promise<RateLimit> {
  const rate = parseRateLimit(limit);
  await store(engine, { queue: checkQueue(queue), ...rate, now: Date.now() });
  if (engine.kind === 'file') ringDoorbell(engine.location, 'limits');
  return rate;
}

/** clearQueueRateLimit on a given engine. */
export async function liftQueueRateLimit(engine: Engine, queue: string): Promise<boolean> {
  const cleared = await clearStored(engine, checkQueue(queue));
  if (cleared && engine.kind === 'file') ringDoorbell(engine.location, 'limits');
  return cleared;
}
