import crypto from 'node:crypto';
import { defaults } from '../config/defaults';

/**
 * The signature of a webhook delivery: HMAC-SHA256 with the shared secret
 * over `<timestamp>.<body>`, hex, as `v1=<hex>`. The timestamp (Unix seconds,
 * sent in its own header) is signed with the body, so a receiver that rejects
 * old timestamps rejects a replayed delivery too.
 * @example signWebhook('s3cret', 1796200000, '{"event":"job.completed"}') // 'v1=6c1d...'
 */
export function signWebhook(secret: string, timestampSec: number, body: string): string {
  return `v1=${crypto.createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;
}

export interface WebhookCheck {
  secret: string;
  /** The raw request body, exactly as received (before any JSON parse). */
  body: string;
  /** The X-Fluent-Jobs-Timestamp header. */
  timestamp: string | null | undefined;
  /** The X-Fluent-Jobs-Signature header. */
  signature: string | null | undefined;
  /** Oldest delivery accepted, in seconds either side of nowSec; default defaults.webhookToleranceSec (300). */
  toleranceSec?: number;
  /** Default: the current time. */
  nowSec?: number;
}

/**
 * Why a delivery must be rejected, or null if it is genuine and fresh. A
 * receiver in this app can call it; one elsewhere can copy the README's few lines.
 * @example webhookProblem({ secret, body, timestamp: '1796200000', signature: 'v1=00', nowSec: 1796200001 }) // 'signature does not match'
 */
export function webhookProblem(check: WebhookCheck): string | null {
  const timestamp = Number(check.timestamp);
  if (!check.timestamp || !Number.isInteger(timestamp)) return 'no timestamp';
  const nowSec = check.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowSec - timestamp) > (check.toleranceSec ?? defaults.webhookToleranceSec)) return 'timestamp too old or in the future (a replay?)';
  const expected = Buffer.from(signWebhook(check.secret, timestamp, check.body));
  const given = Buffer.from(check.signature ?? '');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'signature does not match';
  return null;
}

/** The headers of a delivery; lower-case, as Node and fetch give them to a receiver. */
export const webhookHeaders = {
  event: 'x-fluent-jobs-event',
  delivery: 'x-fluent-jobs-delivery',
  timestamp: 'x-fluent-jobs-timestamp',
  signature: 'x-fluent-jobs-signature',
} as const;
