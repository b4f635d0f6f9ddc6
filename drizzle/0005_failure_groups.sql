CREATE TABLE `failure_fingerprints` (
	`fingerprint` text PRIMARY KEY NOT NULL,
	`error_name` text NOT NULL,
	`message` text NOT NULL,
	`frame` text
);
--> statement-breakpoint
CREATE TABLE `failure_groups` (
	`name` text NOT NULL,
	`fingerprint` text NOT NULL,
	`failed` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`name`, `fingerprint`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `failure_groups_recent_idx` ON `failure_groups` (`last_seen`,`name`,`fingerprint`) WHERE failed > 0;--> statement-breakpoint
ALTER TABLE `jobs` ADD `fingerprint` text;--> statement-breakpoint
CREATE INDEX `jobs_failure_idx` ON `jobs` (`name`,`fingerprint`,`completed_at`,`id`) WHERE state = 'failed';--> statement-breakpoint
-- Failure groups are counted by triggers in the transaction of each change, as 0004 counts states:
-- every writer that fails, retries or deletes a job keeps them exact. A group is (job name,
-- fingerprint), 'unknown' for a failed job without one. first_seen and last_seen only widen.
CREATE TRIGGER `jobs_failures_insert` AFTER INSERT ON `jobs` WHEN NEW.state = 'failed' BEGIN
  INSERT INTO failure_groups (name, fingerprint, failed, first_seen, last_seen)
  SELECT NEW.name, coalesce(NEW.fingerprint, 'unknown'), 1, at, at FROM (SELECT coalesce(NEW.completed_at, CAST(unixepoch('subsec') * 1000 AS INTEGER)) AS at) WHERE true
  ON CONFLICT (name, fingerprint) DO UPDATE SET
    failed = failed + 1, first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen);
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_failures_update` AFTER UPDATE OF state, fingerprint, name ON `jobs`
WHEN (OLD.state = 'failed' OR NEW.state = 'failed')
  AND (OLD.state IS NOT NEW.state OR OLD.fingerprint IS NOT NEW.fingerprint OR OLD.name IS NOT NEW.name)
BEGIN
  UPDATE failure_groups SET failed = failed - 1
  WHERE OLD.state = 'failed' AND name = OLD.name AND fingerprint = coalesce(OLD.fingerprint, 'unknown');
  INSERT INTO failure_groups (name, fingerprint, failed, first_seen, last_seen)
  SELECT NEW.name, coalesce(NEW.fingerprint, 'unknown'), 1, at, at FROM (SELECT coalesce(NEW.completed_at, CAST(unixepoch('subsec') * 1000 AS INTEGER)) AS at)
  WHERE NEW.state = 'failed'
  ON CONFLICT (name, fingerprint) DO UPDATE SET
    failed = failed + 1, first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen);
END;
--> statement-breakpoint
CREATE TRIGGER `jobs_failures_delete` AFTER DELETE ON `jobs` WHEN OLD.state = 'failed' BEGIN
  UPDATE failure_groups SET failed = failed - 1 WHERE name = OLD.name AND fingerprint = coalesce(OLD.fingerprint, 'unknown');
END;
--> statement-breakpoint
-- Jobs that failed before this migration keep a null fingerprint: normalising their messages and
-- stacks takes code, not SQL. They are counted in their job name's 'unknown' group.
INSERT INTO failure_groups (name, fingerprint, failed, first_seen, last_seen)
  SELECT name, 'unknown', count(*), min(coalesce(completed_at, created_at)), max(coalesce(completed_at, created_at))
  FROM jobs WHERE state = 'failed' GROUP BY name;
