import type { Engine, Statement } from '../db/engine';

export type WebhookState = 'completed' | 'failed' | 'cancelled';

export interface WebhookTarget {
  /** A job name, or '*' for every job (JOBS_WEBHOOK_URL). */
  jobName: string;
  url: string;
  on: readonly WebhookState[];
}

export interface WebhookDelivery {
  priority: number;
  maxAttempts: number;
  /** JSON StoredBackoff. */
  backoff: string;
  timeoutMs: number;
}

/**
 * Writes the targets a process was started with, in one batch: the global
 * one (JOBS_WEBHOOK_URL, source 'env') replaces whatever global one was
 * there; the code ones replace those of the job names this process knows
 * (`knownNames`), and leave alone those of names only other workers run.
 * The jobs_webhooks trigger reads them from then on, in every process.
 */
export async function syncWebhookTargets(
  engine: Engine,
  sync: { global: WebhookTarget | null; code: WebhookTarget[]; knownNames: readonly string[]; delivery: WebhookDelivery },
): Promise<void> {
  const { delivery } = sync;
  const insert = (target: WebhookTarget, source: 'env' | 'code'): Statement => ({
    sql: `INSERT INTO webhook_targets (job_name, url, source, on_completed, on_failed, on_cancelled, priority, max_attempts, backoff, timeout_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      target.jobName, target.url, source, Number(target.on.includes('completed')), Number(target.on.includes('failed')),
      Number(target.on.includes('cancelled')), delivery.priority, delivery.maxAttempts, delivery.backoff, delivery.timeoutMs,
    ],
  });
  await engine.batch([
    { sql: `DELETE FROM webhook_targets WHERE source = 'env'` },
    { sql: `DELETE FROM webhook_targets WHERE source = 'code' AND job_name IN (SELECT value FROM json_each(?))`, args: [JSON.stringify(sync.knownNames)] },
    ...(sync.global ? [insert(sync.global, 'env')] : []),
    ...sync.code.map((target) => insert(target, 'code')),
  ]);
}

/** Every target in the database, for `bin/jobs webhooks` and tests. */
export async function listWebhookTargets(engine: Engine): Promise<(WebhookTarget & { source: 'env' | 'code' })[]> {
  const rows = await engine.all<{ job_name: string; url: string; source: 'env' | 'code'; on_completed: number; on_failed: number; on_cancelled: number }>(
    'SELECT job_name, url, source, on_completed, on_failed, on_cancelled FROM webhook_targets ORDER BY job_name, id',
  );
  return rows.map((row) => ({
    jobName: row.job_name,
    url: row.url,
    source: row.source,
    on: (['completed', 'failed', 'cancelled'] as const).filter((state) => row[`on_${state}`] === 1),
  }));
}
