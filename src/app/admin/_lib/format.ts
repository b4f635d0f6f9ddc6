/**
 * How long `ms` is, in the largest two units.
 * @example duration(95_000) // '1m 35s'
 * @example duration(450) // '450ms'
 */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/**
 * `at` relative to `now`, in words.
 * @example relative(now - 5_000, now) // '5s ago'
 * @example relative(now + 60_000, now) // 'in 1m 0s'
 */
export function relative(at: number, now: number): string {
  return at <= now ? `${duration(now - at)} ago` : `in ${duration(at - now)}`;
}

/** The first value of a search param. */
export const firstParam = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** A dynamic route segment as Next hands it (percent-encoded), decoded; a malformed one as it is (it then names nothing). */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * An age as one unit a person types back (`--delay`, the cleanup form): the
 * largest of d, h, m, s that divides it.
 * @example typedAge(86_400_000) // '1d'
 * @example typedAge(90_000) // '90s'
 */
export function typedAge(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
