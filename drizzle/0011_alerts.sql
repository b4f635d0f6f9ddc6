CREATE TABLE `alert_rules` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`job_name` text,
	`queue` text,
	`schedule_name` text,
	`threshold` integer,
	`window_ms` integer NOT NULL,
	`min_count` integer NOT NULL,
	`notify` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_states` (
	`rule_name` text NOT NULL,
	`subject` text NOT NULL,
	`firing` integer DEFAULT 0 NOT NULL,
	`since` integer NOT NULL,
	`message` text NOT NULL,
	`notified_at` integer NOT NULL,
	PRIMARY KEY(`rule_name`, `subject`)
);
--> statement-breakpoint
ALTER TABLE `cron_jobs` ADD `last_missed_at` integer;