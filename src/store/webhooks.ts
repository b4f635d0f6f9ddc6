import type { Engine, SqlArg, Statement } from '../db/engine';

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
 * Every statement that ends a job reads them from then on, in every process.
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

/**
 * The delivery jobs of the jobs an end statement just ended, for the same
 * batch, so a job's end and its deliveries commit together and no crash can
 * keep one without the other. `ended` picks those jobs as a condition on `j`
 * (a jobs row) that only this batch's end makes true. One delivery per
 * matching target: an http-request job on the 'webhooks' queue, carrying the
 * ended row as it is now (JobRow's names), so its body is the job's JSON at
 * its end however late it is sent. Jobs of the 'webhooks' queue post none, so
 * a failed delivery cannot start a chain. With no target (the usual case)
 * it stops at its first step: the constant EXISTS is checked once, before any row is read. params and result are copied as JSON when they
 * are, as text otherwise. The id is a UUIDv7 made here (time, version 7,
 * variant, random), like newJobId's.
 */
export function webhookDeliveriesStatement(ended: { sql: string; args: SqlArg[] }, now: number): Statement {
  return {
    sql: `INSERT INTO jobs (id, name, queue, state, scheduled, priority, params, max_attempts, backoff, timeout_ms, run_at, created_at, title)
      SELECT
        lower(substr(printf('%012x', n.ms), 1, 8) || '-' || substr(printf('%012x', n.ms), 9, 4) || '-7' || substr(hex(randomblob(2)), 2, 3)
          || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2, 3) || '-' || hex(randomblob(6))),
        'http-request', 'webhooks', 'pending', ${deliveryReadyState}, t.priority,
        json_object('method', 'POST', 'url', t.url, 'webhook', json_object('event', 'job.' || j.state, 'at', n.ms, 'job', ${endedRowJson})),
        t.max_attempts, t.backoff, t.timeout_ms, n.ms, n.ms, 'webhook: job.' || j.state || ' of ' || j.name
      FROM (SELECT ? AS ms) AS n, webhook_targets AS t JOIN jobs AS j ON t.job_name IN (j.name, '*')
      WHERE EXISTS (SELECT 1 FROM webhook_targets) AND j.state IN ('completed', 'failed', 'cancelled') AND j.queue <> 'webhooks'
        AND CASE j.state WHEN 'completed' THEN t.on_completed WHEN 'failed' THEN t.on_failed ELSE t.on_cancelled END = 1
        AND (${ended.sql})`,
    args: [now, ...ended.args],
  };
}

/** As jobInsertValues: parked while the webhooks queue is paused (2), ready in a rate-limited one (5), else claimable (0). */
const deliveryReadyState = `CASE WHEN EXISTS (SELECT 1 FROM paused_queues WHERE queue = 'webhooks') THEN 2
  WHEN EXISTS (SELECT 1 FROM queue_limits WHERE queue = 'webhooks') THEN 5 ELSE 0 END`;

/** Every column of the jobs row `j`, under JobRow's names: what delivery.ts reads back into a JobRow. */
const endedRowJson = `json_object(
  'id', j.id, 'name', j.name, 'queue', j.queue, 'state', j.state, 'scheduled', j.scheduled, 'priority', j.priority,
  'params', CASE WHEN json_valid(j.params) THEN json(j.params) ELSE j.params END,
  'result', CASE WHEN json_valid(j.result) THEN json(j.result) ELSE j.result END,
  'error', j.error, 'progress', j.progress, 'progressMessage', j.progress_message, 'attempts', j.attempts,
  'maxAttempts', j.max_attempts, 'backoff', j.backoff, 'timeoutMs', j.timeout_ms, 'runAt', j.run_at,
  'createdAt', j.created_at, 'startedAt', j.started_at, 'completedAt', j.completed_at, 'lockedBy', j.locked_by,
  'lockedUntil', j.locked_until, 'idempotencyKey', j.idempotency_key, 'scheduleName', j.schedule_name,
  'cancelRequested', j.cancel_requested, 'parentFailure', j.parent_failure, 'hasDependents', j.has_dependents,
  'concurrencyKey', j.concurrency_key, 'concurrencyLimit', j.concurrency_limit, 'title', j.title,
  'description', j.description, 'fingerprint', j.fingerprint)`;
