CREATE TABLE `job_counts` (
	`queue` text NOT NULL,
	`state` text NOT NULL,
	`waiting` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`queue`, `state`, `waiting`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `job_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`kind` text NOT NULL,
	`queue` text NOT NULL,
	`name` text NOT NULL,
	`state` text NOT NULL,
	`scheduled` integer NOT NULL,
	`progress` integer NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_minutes` (
	`minute` integer NOT NULL,
	`queue` text NOT NULL,
	`name` text NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`cancelled` integer DEFAULT 0 NOT NULL,
	`retried` integer DEFAULT 0 NOT NULL,
	`run_ms_total` integer DEFAULT 0 NOT NULL,
	`histogram` text NOT NULL,
	PRIMARY KEY(`minute`, `queue`, `name`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `jobs` ADD `title` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `description` text;--> statement-breakpoint
-- The change feed, counts and per-minute stats are kept by triggers, in the transaction of
-- the change itself: every writer (worker, web, CLI, cron, a migration) keeps them right.
CREATE TRIGGER `jobs_changes_insert` AFTER INSERT ON `jobs` BEGIN
  INSERT INTO job_events (job_id, kind, queue, name, state, scheduled, progress, attempt, at)
  VALUES (NEW.id, CASE WHEN NEW.state <> 'pending' THEN NEW.state WHEN NEW.scheduled = 1 THEN 'scheduled' ELSE 'enqueued' END,
    NEW.queue, NEW.name, NEW.state, NEW.scheduled, NEW.progress, NEW.attempts, CAST(unixepoch('subsec') * 1000 AS INTEGER));
  INSERT INTO job_counts (queue, state, waiting, n) VALUES (NEW.queue, NEW.state, CASE WHEN NEW.state = 'pending' THEN NEW.scheduled ELSE 0 END, 1)
    ON CONFLICT (queue, state, waiting) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_changes_update` AFTER UPDATE OF state, scheduled, progress, cancel_requested ON `jobs`
WHEN OLD.state IS NOT NEW.state OR OLD.scheduled IS NOT NEW.scheduled OR OLD.progress IS NOT NEW.progress
  OR OLD.cancel_requested IS NOT NEW.cancel_requested
BEGIN
  INSERT INTO job_events (job_id, kind, queue, name, state, scheduled, progress, attempt, at)
  VALUES (NEW.id, CASE
      WHEN NEW.state = OLD.state THEN CASE WHEN NEW.progress IS NOT OLD.progress THEN 'progress' ELSE 'changed' END
      WHEN NEW.state = 'running' THEN 'started'
      WHEN NEW.state = 'pending' AND OLD.state = 'running' THEN 'retrying'
      WHEN NEW.state = 'pending' THEN 'enqueued'
      ELSE NEW.state END,
    NEW.queue, NEW.name, NEW.state, NEW.scheduled, NEW.progress, NEW.attempts, CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_counts_update` AFTER UPDATE OF state, scheduled, queue ON `jobs`
WHEN OLD.state IS NOT NEW.state OR OLD.queue IS NOT NEW.queue OR (NEW.state = 'pending' AND OLD.scheduled IS NOT NEW.scheduled)
BEGIN
  UPDATE job_counts SET n = n - 1 WHERE queue = OLD.queue AND state = OLD.state AND waiting = CASE WHEN OLD.state = 'pending' THEN OLD.scheduled ELSE 0 END;
  INSERT INTO job_counts (queue, state, waiting, n) VALUES (NEW.queue, NEW.state, CASE WHEN NEW.state = 'pending' THEN NEW.scheduled ELSE 0 END, 1)
    ON CONFLICT (queue, state, waiting) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_counts_delete` AFTER DELETE ON `jobs` BEGIN
  UPDATE job_counts SET n = n - 1 WHERE queue = OLD.queue AND state = OLD.state AND waiting = CASE WHEN OLD.state = 'pending' THEN OLD.scheduled ELSE 0 END;
END;
--> statement-breakpoint
-- A trigger that failed would undo the change it follows, so none may: a completion without
-- both times (only a hand-written UPDATE makes one) counts without a run time.
-- Bucket i of a histogram counts the completed runs up to the i-th of [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000] ms (runTimeBucketsMs); the last one, longer runs.
CREATE TRIGGER `jobs_minutes_update` AFTER UPDATE OF state ON `jobs`
WHEN OLD.state IS NOT NEW.state AND (NEW.state IN ('completed', 'failed', 'cancelled') OR (OLD.state = 'running' AND NEW.state = 'pending'))
BEGIN
  INSERT INTO job_minutes (minute, queue, name, completed, failed, cancelled, retried, run_ms_total, histogram)
  VALUES (COALESCE(NEW.completed_at, CAST(unixepoch('subsec') * 1000 AS INTEGER)) / 60000, NEW.queue, NEW.name,
    NEW.state = 'completed', NEW.state = 'failed', NEW.state = 'cancelled', NEW.state = 'pending',
    CASE WHEN NEW.state = 'completed' AND NEW.started_at IS NOT NULL AND NEW.completed_at IS NOT NULL THEN max((NEW.completed_at - NEW.started_at), 0) ELSE 0 END,
    CASE WHEN NEW.state = 'completed' AND NEW.started_at IS NOT NULL AND NEW.completed_at IS NOT NULL THEN json_replace('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]', '$[' || (CASE WHEN (NEW.completed_at - NEW.started_at) <= 1 THEN 0 WHEN (NEW.completed_at - NEW.started_at) <= 2 THEN 1 WHEN (NEW.completed_at - NEW.started_at) <= 5 THEN 2 WHEN (NEW.completed_at - NEW.started_at) <= 10 THEN 3 WHEN (NEW.completed_at - NEW.started_at) <= 25 THEN 4 WHEN (NEW.completed_at - NEW.started_at) <= 50 THEN 5 WHEN (NEW.completed_at - NEW.started_at) <= 100 THEN 6 WHEN (NEW.completed_at - NEW.started_at) <= 250 THEN 7 WHEN (NEW.completed_at - NEW.started_at) <= 500 THEN 8 WHEN (NEW.completed_at - NEW.started_at) <= 1000 THEN 9 WHEN (NEW.completed_at - NEW.started_at) <= 2500 THEN 10 WHEN (NEW.completed_at - NEW.started_at) <= 5000 THEN 11 WHEN (NEW.completed_at - NEW.started_at) <= 10000 THEN 12 WHEN (NEW.completed_at - NEW.started_at) <= 30000 THEN 13 WHEN (NEW.completed_at - NEW.started_at) <= 60000 THEN 14 WHEN (NEW.completed_at - NEW.started_at) <= 300000 THEN 15 ELSE 16 END) || ']', 1) ELSE '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' END)
  ON CONFLICT (minute, queue, name) DO UPDATE SET
    completed = completed + excluded.completed, failed = failed + excluded.failed,
    cancelled = cancelled + excluded.cancelled, retried = retried + excluded.retried,
    run_ms_total = run_ms_total + excluded.run_ms_total,
    histogram = CASE WHEN NEW.state = 'completed' AND NEW.started_at IS NOT NULL AND NEW.completed_at IS NOT NULL
      THEN json_replace(histogram, '$[' || (CASE WHEN (NEW.completed_at - NEW.started_at) <= 1 THEN 0 WHEN (NEW.completed_at - NEW.started_at) <= 2 THEN 1 WHEN (NEW.completed_at - NEW.started_at) <= 5 THEN 2 WHEN (NEW.completed_at - NEW.started_at) <= 10 THEN 3 WHEN (NEW.completed_at - NEW.started_at) <= 25 THEN 4 WHEN (NEW.completed_at - NEW.started_at) <= 50 THEN 5 WHEN (NEW.completed_at - NEW.started_at) <= 100 THEN 6 WHEN (NEW.completed_at - NEW.started_at) <= 250 THEN 7 WHEN (NEW.completed_at - NEW.started_at) <= 500 THEN 8 WHEN (NEW.completed_at - NEW.started_at) <= 1000 THEN 9 WHEN (NEW.completed_at - NEW.started_at) <= 2500 THEN 10 WHEN (NEW.completed_at - NEW.started_at) <= 5000 THEN 11 WHEN (NEW.completed_at - NEW.started_at) <= 10000 THEN 12 WHEN (NEW.completed_at - NEW.started_at) <= 30000 THEN 13 WHEN (NEW.completed_at - NEW.started_at) <= 60000 THEN 14 WHEN (NEW.completed_at - NEW.started_at) <= 300000 THEN 15 ELSE 16 END) || ']', json_extract(histogram, '$[' || (CASE WHEN (NEW.completed_at - NEW.started_at) <= 1 THEN 0 WHEN (NEW.completed_at - NEW.started_at) <= 2 THEN 1 WHEN (NEW.completed_at - NEW.started_at) <= 5 THEN 2 WHEN (NEW.completed_at - NEW.started_at) <= 10 THEN 3 WHEN (NEW.completed_at - NEW.started_at) <= 25 THEN 4 WHEN (NEW.completed_at - NEW.started_at) <= 50 THEN 5 WHEN (NEW.completed_at - NEW.started_at) <= 100 THEN 6 WHEN (NEW.completed_at - NEW.started_at) <= 250 THEN 7 WHEN (NEW.completed_at - NEW.started_at) <= 500 THEN 8 WHEN (NEW.completed_at - NEW.started_at) <= 1000 THEN 9 WHEN (NEW.completed_at - NEW.started_at) <= 2500 THEN 10 WHEN (NEW.completed_at - NEW.started_at) <= 5000 THEN 11 WHEN (NEW.completed_at - NEW.started_at) <= 10000 THEN 12 WHEN (NEW.completed_at - NEW.started_at) <= 30000 THEN 13 WHEN (NEW.completed_at - NEW.started_at) <= 60000 THEN 14 WHEN (NEW.completed_at - NEW.started_at) <= 300000 THEN 15 ELSE 16 END) || ']') + 1) ELSE histogram END;
END;
--> statement-breakpoint
INSERT INTO job_counts (queue, state, waiting, n)
  SELECT queue, state, CASE WHEN state = 'pending' THEN scheduled ELSE 0 END, count(*) FROM jobs GROUP BY 1, 2, 3;
--> statement-breakpoint
-- Throughput of the last 7 days from the jobs still kept (run times start with this migration).
INSERT INTO job_minutes (minute, queue, name, completed, failed, cancelled, retried, run_ms_total, histogram)
  SELECT completed_at / 60000, queue, name, sum(state = 'completed'), sum(state = 'failed'), sum(state = 'cancelled'), 0, 0, '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]'
  FROM jobs INDEXED BY jobs_finished_idx WHERE state IN ('completed', 'failed', 'cancelled') AND completed_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER) - 604800000
  GROUP BY 1, 2, 3;
