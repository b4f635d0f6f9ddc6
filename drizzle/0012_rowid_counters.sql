-- tursodb (the Turso server in the npm package `turso`, 0.6) can neither UPDATE, DELETE from nor
-- index a WITHOUT ROWID table, and these four are updated in place (the fold, the failure triggers,
-- cleanup). As rowid tables with the same primary key they take the same statements everywhere.
-- None of them is written on the hot path (claim, finish): job_counts, job_minutes and job_totals
-- by the fold, failure_groups when a job fails. The triggers naming them are dropped first and made
-- again as they were (the delete's count mended, below), since a table cannot be renamed while a
-- trigger names a table that is gone.
DROP TRIGGER `jobs_counts_delete`;
--> statement-breakpoint
DROP TRIGGER `jobs_failures_insert`;
--> statement-breakpoint
DROP TRIGGER `jobs_failures_update`;
--> statement-breakpoint
DROP TRIGGER `jobs_failures_delete`;
--> statement-breakpoint
CREATE TABLE `job_counts_rowid` (
	`queue` text NOT NULL,
	`state` text NOT NULL,
	`waiting` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`queue`, `state`, `waiting`)
);
--> statement-breakpoint
INSERT INTO `job_counts_rowid` (queue, state, waiting, n) SELECT queue, state, waiting, n FROM `job_counts`;
--> statement-breakpoint
DROP TABLE `job_counts`;
--> statement-breakpoint
ALTER TABLE `job_counts_rowid` RENAME TO `job_counts`;
--> statement-breakpoint
CREATE TABLE `job_minutes_rowid` (
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
);
--> statement-breakpoint
INSERT INTO `job_minutes_rowid` (minute, queue, name, completed, failed, cancelled, retried, run_ms_total, histogram) SELECT minute, queue, name, completed, failed, cancelled, retried, run_ms_total, histogram FROM `job_minutes`;
--> statement-breakpoint
DROP TABLE `job_minutes`;
--> statement-breakpoint
ALTER TABLE `job_minutes_rowid` RENAME TO `job_minutes`;
--> statement-breakpoint
CREATE TABLE `failure_groups_rowid` (
	`name` text NOT NULL,
	`fingerprint` text NOT NULL,
	`failed` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`name`, `fingerprint`)
);
--> statement-breakpoint
INSERT INTO `failure_groups_rowid` (name, fingerprint, failed, first_seen, last_seen) SELECT name, fingerprint, failed, first_seen, last_seen FROM `failure_groups`;
--> statement-breakpoint
DROP TABLE `failure_groups`;
--> statement-breakpoint
ALTER TABLE `failure_groups_rowid` RENAME TO `failure_groups`;
--> statement-breakpoint
CREATE TABLE `job_totals_rowid` (
	`queue` text NOT NULL,
	`name` text NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`cancelled` integer DEFAULT 0 NOT NULL,
	`retried` integer DEFAULT 0 NOT NULL,
	`run_ms_total` integer DEFAULT 0 NOT NULL,
	`histogram` text NOT NULL,
	PRIMARY KEY(`queue`, `name`)
);
--> statement-breakpoint
INSERT INTO `job_totals_rowid` (queue, name, completed, failed, cancelled, retried, run_ms_total, histogram) SELECT queue, name, completed, failed, cancelled, retried, run_ms_total, histogram FROM `job_totals`;
--> statement-breakpoint
DROP TABLE `job_totals`;
--> statement-breakpoint
ALTER TABLE `job_totals_rowid` RENAME TO `job_totals`;
--> statement-breakpoint
CREATE INDEX `failure_groups_recent_idx` ON `failure_groups` (`last_seen`,`name`,`fingerprint`) WHERE failed > 0;
--> statement-breakpoint
-- A delete takes the job out of its count at once, while its last change may not be folded yet: if
-- no row counts that state so far, the -1 is kept in a new row, which the fold's +1 then cancels
-- (an UPDATE alone found no row, and the count stayed one too high for good).
CREATE TRIGGER `jobs_counts_delete` AFTER DELETE ON `jobs` BEGIN
  INSERT INTO job_counts (queue, state, waiting, n) VALUES (OLD.queue, OLD.state, CASE WHEN OLD.state = 'pending' THEN OLD.scheduled ELSE 0 END, -1)
    ON CONFLICT (queue, state, waiting) DO UPDATE SET n = n - 1;
END;
--> statement-breakpoint
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
