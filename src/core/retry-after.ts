/**
 * Milliseconds from `now` until the time an HTTP Retry-After header names:
 * whole seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`). A date
 * already past gives 0; a value that is neither gives null.
 * @example retryAfterMs('120', 0) // 120000
 * @example retryAfterMs('Thu, 01 Jan 1970 00:02:00 GMT', 0) // 120000
 * @example retryAfterMs('soon', 0) // null
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its weekday and zone (RFC 9110); Date.parse alone would take "2" as a year.
  if (!/^[A-Za-z]{3},? /.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
