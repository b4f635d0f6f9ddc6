CREATE TABLE `webhook_targets` (
	`id` integer PRIMARY KEY NOT NULL,
	`job_name` text NOT NULL,
	`url` text NOT NULL,
	`source` text NOT NULL,
	`on_completed` integer DEFAULT 1 NOT NULL,
	`on_failed` integer DEFAULT 1 NOT NULL,
	`on_cancelled` integer DEFAULT 1 NOT NULL,
	`priority` integer NOT NULL,
	`max_attempts` integer NOT NULL,
	`backoff` text NOT NULL,
	`timeout_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_targets_name_idx` ON `webhook_targets` (`job_name`);--> statement-breakpoint
-- A job's end inserts one delivery job per matching webhook target, in the transaction of the
-- end itself, whichever process wrote it (a worker, a reaper, a cancel from the page): a crash
-- can lose neither. The delivery (an http-request job on the 'webhooks' queue) carries the
-- ended row as it was (camelCase keys of JobRow), so its body is the job's JSON at its end
-- however late it is sent; the worker that sends it builds and signs the body. Jobs of the
-- 'webhooks' queue fire none, so a delivery that fails cannot start a chain of deliveries.
-- params and result are copied as JSON when they are, as text otherwise: a trigger that failed
-- would undo the job's end. The id is a UUIDv7 made here (time, version 7, variant, random).
CREATE TRIGGER `jobs_webhooks` AFTER UPDATE OF state ON `jobs`
WHEN OLD.state IS NOT NEW.state AND NEW.state IN ('completed', 'failed', 'cancelled') AND NEW.queue <> 'webhooks'
  AND EXISTS (SELECT 1 FROM webhook_targets WHERE job_name IN (NEW.name, '*'))
BEGIN
  INSERT INTO jobs (id, name, queue, state, scheduled, priority, params, max_attempts, backoff, timeout_ms, run_at, created_at, title)
  SELECT
    lower(substr(printf('%012x', n.ms), 1, 8) || '-' || substr(printf('%012x', n.ms), 9, 4) || '-7' || substr(hex(randomblob(2)), 2, 3)
      || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2, 3) || '-' || hex(randomblob(6))),
    'http-request', 'webhooks', 'pending',
    -- As jobInsertValues: parked while the queue is paused (2), ready in a rate-limited queue (5), else claimable (0).
    CASE WHEN EXISTS (SELECT 1 FROM paused_queues WHERE queue = 'webhooks') THEN 2
         WHEN EXISTS (SELECT 1 FROM queue_limits WHERE queue = 'webhooks') THEN 5 ELSE 0 END, t.priority,
    json_object('method', 'POST', 'url', t.url, 'webhook', json_object('event', 'job.' || NEW.state, 'at', n.ms, 'job', json_object(
      'id', NEW.id, 'name', NEW.name, 'queue', NEW.queue, 'state', NEW.state, 'scheduled', NEW.scheduled, 'priority', NEW.priority,
      'params', CASE WHEN json_valid(NEW.params) THEN json(NEW.params) ELSE NEW.params END,
      'result', CASE WHEN json_valid(NEW.result) THEN json(NEW.result) ELSE NEW.result END,
      'error', NEW.error, 'progress', NEW.progress, 'progressMessage', NEW.progress_message, 'attempts', NEW.attempts,
      'maxAttempts', NEW.max_attempts, 'backoff', NEW.backoff, 'timeoutMs', NEW.timeout_ms, 'runAt', NEW.run_at,
      'createdAt', NEW.created_at, 'startedAt', NEW.started_at, 'completedAt', NEW.completed_at, 'lockedBy', NEW.locked_by,
      'lockedUntil', NEW.locked_until, 'idempotencyKey', NEW.idempotency_key, 'scheduleName', NEW.schedule_name,
      'cancelRequested', NEW.cancel_requested, 'parentFailure', NEW.parent_failure, 'hasDependents', NEW.has_dependents,
      'concurrencyKey', NEW.concurrency_key, 'concurrencyLimit', NEW.concurrency_limit, 'title', NEW.title,
      'description', NEW.description, 'fingerprint', NEW.fingerprint))),
    t.max_attempts, t.backoff, t.timeout_ms, n.ms, n.ms, 'webhook: job.' || NEW.state || ' of ' || NEW.name
  FROM webhook_targets AS t, (SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS ms) AS n
  WHERE t.job_name IN (NEW.name, '*')
    AND CASE NEW.state WHEN 'completed' THEN t.on_completed WHEN 'failed' THEN t.on_failed ELSE t.on_cancelled END = 1;
END;
