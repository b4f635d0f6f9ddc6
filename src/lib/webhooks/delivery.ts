import { z } from 'zod';
import type { Config } from '../../config/env';
import { JobsError, NonRetryableError } from '../../core/errors';
import { signWebhook, webhookHeaders } from '../../core/webhook-signature';
import type { Engine } from '../../db/engine';
import type { JobRow } from '../../db/schema';
import { dependsOnOf } from '../../store/queries';
import { jobJson, type JobJson } from '../jobs/json';

/**
 * What the jobs_webhooks trigger puts in a delivery's params (beside method
 * and url): the event, when the job ended, and the ended row as it was.
 */
export const webhookParams = z.object({
  event: z.enum(['job.completed', 'job.failed', 'job.cancelled']),
  at: z.number().int(),
  job: z.record(z.string(), z.unknown()),
});
export type WebhookParams = z.infer<typeof webhookParams>;

/** The body a receiver gets: the delivery's own id (the same on every retry), the event, and the job's JSON at its end. */
export interface WebhookBody {
  id: string;
  event: WebhookParams['event'];
  createdAt: string;
  job: JobJson;
}

/**
 * The signed request of one delivery. The body is the same on every attempt
 * (the job's JSON as it ended, judged at its end); the timestamp and
 * signature are made at each send, so a receiver can refuse stale replays.
 */
export async function webhookRequest(
  engine: Engine, config: Config, deliveryId: string, webhook: WebhookParams, sentAtMs = Date.now(),
): Promise<{ body: string; headers: Record<string, string> }> {
  if (!config.webhookSecret) {
    throw new NonRetryableError('JOBS_WEBHOOK_SECRET is not set in this worker, so the delivery cannot be signed; set it and retry the job');
  }
  const row = snapshotRow(webhook.job);
  const dependsOn = (await dependsOnOf(engine, [row.id])).get(row.id) ?? [];
  const body: WebhookBody = {
    id: deliveryId,
    event: webhook.event,
    createdAt: new Date(webhook.at).toISOString(),
    job: jobJson(row, dependsOn, { now: webhook.at, redactKeys: config.redactKeys }),
  };
  const text = JSON.stringify(body);
  const timestamp = Math.floor(sentAtMs / 1000);
  return {
    body: text,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'FluentJobs-Webhook/1',
      [webhookHeaders.event]: webhook.event,
      [webhookHeaders.delivery]: deliveryId,
      [webhookHeaders.timestamp]: String(timestamp),
      [webhookHeaders.signature]: signWebhook(config.webhookSecret, timestamp, text),
    },
  };
}

/** The trigger's copy of the ended row, as the JobRow jobJson takes: params and result back to JSON text. */
function snapshotRow(job: Record<string, unknown>): JobRow {
  if (typeof job.id !== 'string' || typeof job.name !== 'string') {
    throw new JobsError('invalid_params', 'The webhook delivery does not carry the job it reports (no id or name)');
  }
  const asText = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  return { ...(job as unknown as JobRow), params: asText(job.params) ?? 'null', result: asText(job.result) };
}
