/** How long to wait before the next attempt, by policy. */
export type Backoff =
  | { type: 'exponential'; delay: number; maxDelay?: number }
  | { type: 'fixed'; delay: number }
  | ((attempt: number) => number);

/** The part of a backoff that can be stored with the job (a function cannot). */
export type StoredBackoff = Exclude<Backoff, (attempt: number) => number>;

/**
 * Milliseconds to wait after failed attempt `attempt` (1-based). Exponential
 * uses full jitter (a random wait in [0, delay * 2^(attempt-1)], capped), which
 * spreads a burst of failures out instead of retrying them in lockstep.
 * @example retryDelayMs({ type: 'fixed', delay: 1000 }, 3) // 1000
 * @example retryDelayMs({ type: 'exponential', delay: 1000 }, 3, () => 1) // 4000
 */
export function retryDelayMs(backoff: Backoff, attempt: number, random: () => number = Math.random, capMs = 3_600_000): number {
  if (typeof backoff === 'function') return Math.max(0, Math.round(backoff(attempt)));
  if (backoff.type === 'fixed') return backoff.delay;
  const ceiling = Math.min(backoff.maxDelay ?? capMs, backoff.delay * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}
