import { parseDuration } from './duration';
import { JobsError } from './errors';

/** At most `max` job starts in any window of `durationMs`. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/**
 * A rate limit from `{ max, duration }` or from text like '100/1m'.
 * @example parseRateLimit('100/1m') // { max: 100, durationMs: 60000 }
 */
export function parseRateLimit(value: string | { max: number; duration: number | string }): RateLimit {
  const [maxText, durationText] = typeof value === 'string' ? value.split('/') : [String(value.max), value.duration];
  const max = Number(maxText);
  if (!/^\d+$/.test(String(maxText).trim()) || max < 1 || durationText === undefined) {
    throw new JobsError('bad_request', `Invalid rate limit ${JSON.stringify(value)}: give a whole number of jobs >= 1 per duration, e.g. 100/1m`);
  }
  const durationMs = parseDuration(typeof durationText === 'string' ? durationText.trim() : durationText);
  if (durationMs < 1) throw new JobsError('bad_request', `Invalid rate limit ${JSON.stringify(value)}: the duration must be at least 1 ms`);
  return { max, durationMs };
}

/** @example formatRateLimit({ max: 100, durationMs: 60000 }) // '100/1m' */
export function formatRateLimit(limit: RateLimit): string {
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1_000, 's']];
  const unit = units.find(([ms]) => limit.durationMs % ms === 0);
  return unit ? `${limit.max}/${limit.durationMs / unit[0]}${unit[1]}` : `${limit.max}/${limit.durationMs}ms`;
}
