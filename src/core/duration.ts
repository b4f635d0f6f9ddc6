import { JobsError } from './errors';

const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration in milliseconds, from a number of ms or a string such as '500ms', '30s', '5m', '2h', '1d', '1h30m'.
 * @example parseDuration('5m') // 300000
 * @example parseDuration('1h30m') // 5400000
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new JobsError('bad_request', `Invalid duration ${value}: must be a number of ms >= 0`);
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new JobsError('bad_request', `Invalid duration "${value}": use e.g. 500ms, 30s, 5m, 2h, 1d`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * unitMs[p[2]], 0));
}

/**
 * A point in time from a Date, an ISO string or epoch ms.
 * @example parseInstant('2026-01-01T00:00:00Z') // 1767225600000
 */
export function parseInstant(value: Date | string | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new JobsError('bad_request', `Invalid date "${String(value)}": use an ISO 8601 time`);
  return ms;
}

/** @example formatDuration(95000) // '1m 35s' */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  if (minutes < 60) return `${minutes}m ${seconds}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
