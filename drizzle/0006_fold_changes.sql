CREATE TABLE `feed_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`folded` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `job_events` ADD `from_state` text;--> statement-breakpoint
ALTER TABLE `job_events` ADD `from_waiting` integer;--> statement-breakpoint
ALTER TABLE `job_events` ADD `ended_at` integer;--> statement-breakpoint
ALTER TABLE `job_events` ADD `run_ms` integer;--> statement-breakpoint
-- The counts and per-minute stats are no longer kept row by row on the hot path (three
-- more writes per change cost a third to a half of the throughput): each change appends one
-- row to job_events with what it left and, for an end, its time and run time, and
-- foldChanges adds the changes to job_counts and job_minutes in batches. The counts are
-- exact up to now, so the fold starts after the newest change.
INSERT INTO feed_state (id, folded) VALUES (1, coalesce((SELECT max(id) FROM job_events), 0));
--> statement-breakpoint
DROP TRIGGER `jobs_counts_update`;
--> statement-breakpoint
DROP TRIGGER `jobs_minutes_update`;
--> statement-breakpoint
DROP TRIGGER `jobs_changes_insert`;
--> statement-breakpoint
DROP TRIGGER `jobs_changes_update`;
--> statement-breakpoint
CREATE TRIGGER `jobs_changes_insert` AFTER INSERT ON `jobs` BEGIN
  INSERT INTO job_events (job_id, kind, queue, name, state, scheduled, progress, attempt, at, from_state, from_waiting, ended_at, run_ms)
  VALUES (NEW.id, CASE WHEN NEW.state <> 'pending' THEN NEW.state WHEN NEW.scheduled = 1 THEN 'scheduled' ELSE 'enqueued' END,
    NEW.queue, NEW.name, NEW.state, NEW.scheduled, NEW.progress, NEW.attempts, CAST(unixepoch('subsec') * 1000 AS INTEGER),
    NULL, NULL, CASE WHEN (NEW.state = 'completed' OR NEW.state = 'failed' OR NEW.state = 'cancelled') THEN NEW.completed_at END, NULL);
END;
--> statement-breakpoint
-- A trigger that failed would undo the change it follows, so this one cannot: every value is a column or NULL.
-- No `x IN (...)` lists in these: in a trigger SQLite builds a temporary table for one at each
-- row (measured: 1.3 us a row, as much as the rest of the trigger).
CREATE TRIGGER `jobs_changes_update` AFTER UPDATE OF state, scheduled, progress, cancel_requested ON `jobs`
WHEN OLD.state IS NOT NEW.state OR OLD.scheduled IS NOT NEW.scheduled OR OLD.progress IS NOT NEW.progress
  OR OLD.cancel_requested IS NOT NEW.cancel_requested
BEGIN
  INSERT INTO job_events (job_id, kind, queue, name, state, scheduled, progress, attempt, at, from_state, from_waiting, ended_at, run_ms)
  VALUES (NEW.id, CASE
      WHEN NEW.state = OLD.state THEN CASE WHEN NEW.progress IS NOT OLD.progress THEN 'progress' ELSE 'changed' END
      WHEN NEW.state = 'running' THEN 'started'
      WHEN NEW.state = 'pending' AND OLD.state = 'running' THEN 'retrying'
      WHEN NEW.state = 'pending' THEN 'enqueued'
      ELSE NEW.state END,
    NEW.queue, NEW.name, NEW.state, NEW.scheduled, NEW.progress, NEW.attempts, CAST(unixepoch('subsec') * 1000 AS INTEGER),
    OLD.state, CASE WHEN OLD.state = 'pending' THEN OLD.scheduled ELSE 0 END,
    CASE WHEN NEW.state IS NOT OLD.state AND (NEW.state = 'completed' OR NEW.state = 'failed' OR NEW.state = 'cancelled') THEN NEW.completed_at END,
    CASE WHEN NEW.state = 'completed' AND OLD.state IS NOT 'completed' THEN max(NEW.completed_at - NEW.started_at, 0) END);
END;
