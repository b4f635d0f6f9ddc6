CREATE TABLE `cron_jobs` (
	`name` text PRIMARY KEY NOT NULL,
	`job_name` text NOT NULL,
	`cron` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`description` text,
	`enabled` integer DEFAULT 1 NOT NULL,
	`misfire` text DEFAULT 'skip' NOT NULL,
	`source` text DEFAULT 'operator' NOT NULL,
	`last_run_at` integer,
	`next_run_at` integer,
	`runs_total` integer DEFAULT 0 NOT NULL,
	`runs_completed` integer DEFAULT 0 NOT NULL,
	`runs_failed` integer DEFAULT 0 NOT NULL,
	`runs_missed` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cron_jobs_next_idx` ON `cron_jobs` (`next_run_at`) WHERE enabled = 1;--> statement-breakpoint
CREATE TABLE `job_attempts` (
	`id` integer PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`worker_id` text,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`error` text,
	`error_stack` text,
	`logs` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_attempts_job_idx` ON `job_attempts` (`job_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `job_dependencies` (
	`job_id` text NOT NULL,
	`parent_id` text NOT NULL,
	PRIMARY KEY(`job_id`, `parent_id`)
);
--> statement-breakpoint
CREATE INDEX `job_dependencies_parent_idx` ON `job_dependencies` (`parent_id`);--> statement-breakpoint
CREATE TABLE `job_progress` (
	`id` integer PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`percent` integer NOT NULL,
	`message` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `job_progress_job_idx` ON `job_progress` (`job_id`,`id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`queue` text DEFAULT 'default' NOT NULL,
	`state` text NOT NULL,
	`scheduled` integer DEFAULT 0 NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`params` text NOT NULL,
	`result` text,
	`error` text,
	`progress` integer DEFAULT 0 NOT NULL,
	`progress_message` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer NOT NULL,
	`backoff` text,
	`timeout_ms` integer NOT NULL,
	`run_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`completed_at` integer,
	`locked_by` text,
	`locked_until` integer,
	`idempotency_key` text,
	`schedule_name` text,
	`cancel_requested` integer DEFAULT 0 NOT NULL,
	`parent_failure` text,
	`has_dependents` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_claim_idx` ON `jobs` (priority DESC,`run_at`,`id`) WHERE state = 'pending' AND scheduled = 0;--> statement-breakpoint
CREATE INDEX `jobs_queue_claim_idx` ON `jobs` (`queue`,priority DESC,`run_at`,`id`) WHERE state = 'pending' AND scheduled = 0;--> statement-breakpoint
CREATE INDEX `jobs_due_idx` ON `jobs` (`run_at`) WHERE state = 'pending' AND scheduled = 1;--> statement-breakpoint
CREATE INDEX `jobs_blocked_idx` ON `jobs` (`id`) WHERE state = 'pending' AND scheduled = 3;--> statement-breakpoint
CREATE INDEX `jobs_paused_idx` ON `jobs` (`queue`) WHERE state = 'pending' AND scheduled = 2;--> statement-breakpoint
CREATE INDEX `jobs_lease_idx` ON `jobs` (`locked_until`) WHERE state = 'running';--> statement-breakpoint
CREATE INDEX `jobs_owner_idx` ON `jobs` (`locked_by`) WHERE state = 'running';--> statement-breakpoint
CREATE INDEX `jobs_name_idx` ON `jobs` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_finished_idx` ON `jobs` (`state`,`completed_at`) WHERE completed_at IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_idempotency_idx` ON `jobs` (`idempotency_key`) WHERE idempotency_key IS NOT NULL AND state IN ('pending', 'running');--> statement-breakpoint
CREATE TABLE `paused_queues` (
	`queue` text PRIMARY KEY NOT NULL,
	`paused_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`queues` text NOT NULL,
	`concurrency` integer NOT NULL,
	`started_at` integer NOT NULL,
	`last_heartbeat_at` integer NOT NULL,
	`stopped_at` integer
);
--> statement-breakpoint
CREATE INDEX `workers_heartbeat_idx` ON `workers` (`last_heartbeat_at`);