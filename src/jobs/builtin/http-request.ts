import { getConfig } from '@/config/env';
import { getEngine } from '@/db/client';
import { Job } from '@/lib/jobs';
import { NonRetryableError } from '@/core/errors';
import { signWebhook, webhookHeaders } from '@/core/webhook-signature';
import { webhookRequest } from '@/lib/webhooks/delivery';
import { httpRequestParams, type HttpRequestParams } from './http/http-params';
import { performHttpRequest, type HttpRequestResult } from './http/perform-http-request';

export type { HttpRequestParams, HttpRequestResult };

/**
 * Built in: makes one HTTP request (fetch) and returns the status, the chosen
 * response headers and the body up to a limit. Network errors, timeouts, 5xx
 * and 429 are retried (at the Retry-After time when a 429 or 503 gives one);
 * any other 4xx fails the job at once. The request itself is
 * performHttpRequest, for code that builds on it. A webhook delivery (params
 * with `webhook`, inserted with a job's end) is one too: its body is the ended
 * job's JSON, signed afresh at each attempt. With `sign: true` (alert
 * notifications use it), the text body is signed the same way at each attempt.
 */
export class HttpRequestJob extends Job<HttpRequestParams, HttpRequestResult> {
  static jobName = 'http-request';
  static description = 'Makes one HTTP(S) request; retries network errors, timeouts, 5xx and 429 (at Retry-After), fails at once on other 4xx';
  static params = httpRequestParams;
  static options = { queue: 'http', maxAttempts: 5, backoff: { type: 'exponential' as const, delay: 5_000, maxDelay: 30 * 60_000 }, timeout: '6m' };

  protected async perform(params: HttpRequestParams): Promise<HttpRequestResult> {
    const { webhook, sign, ...request } = params;
    if (sign) return performHttpRequest({ ...request, headers: { ...request.headers, ...signedHeaders(request.body ?? '') } }, { signal: this.signal, logger: this.logger });
    if (!webhook) return performHttpRequest(request, { signal: this.signal, logger: this.logger });
    const signed = await webhookRequest(await getEngine(), getConfig(), this.context.jobId, webhook);
    return performHttpRequest({ ...request, method: 'POST', body: signed.body, headers: { ...request.headers, ...signed.headers } }, { signal: this.signal, logger: this.logger });
  }
}

/** The headers that sign `body` now, as a webhook delivery's are (a fresh timestamp at each attempt). */
function signedHeaders(body: string): Record<string, string> {
  const secret = getConfig().webhookSecret;
  if (!secret) throw new NonRetryableError('JOBS_WEBHOOK_SECRET is not set in this worker, so the request cannot be signed; set it and retry the job');
  const timestamp = Math.floor(Date.now() / 1000);
  return { [webhookHeaders.timestamp]: String(timestamp), [webhookHeaders.signature]: signWebhook(secret, timestamp, body) };
}
