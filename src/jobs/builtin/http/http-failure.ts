import { defaults } from '@/config/defaults';
import { NonRetryableError, RetryLaterError } from '@/core/errors';
import { retryAfterMs } from '@/core/retry-after';

/**
 * What a response status means for the job, or null for a success (1xx-3xx):
 * a 429 or 503 that says when to come back (Retry-After) is retried then
 * (RetryLaterError); any other 429 or 5xx is retried after the backoff; every
 * other 4xx fails the job at once, since sending the same request again gets
 * the same answer. `what` is `METHOD safe-url`.
 */
export function statusFailure(what: string, status: number, statusText: string, retryAfter: string | null, now: number): Error | null {
  if (status < 400) return null;
  const answered = `${what} answered ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 429 || status === 503) {
    const delayMs = retryAfterMs(retryAfter, now);
    if (delayMs !== null) {
      const cappedMs = Math.min(delayMs, defaults.httpRetryAfterMaxMs);
      return new RetryLaterError(`${answered} (Retry-After: ${retryAfter!.trim()})`, cappedMs);
    }
  }
  if (status === 429 || status >= 500) return new Error(answered);
  return new NonRetryableError(answered);
}
