CREATE TABLE `queue_limits` (
	`queue` text PRIMARY KEY NOT NULL,
	`rate_max` integer NOT NULL,
	`rate_duration_ms` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `queue_rate_starts` (
	`id` integer PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`job_id` text NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `queue_rate_starts_idx` ON `queue_rate_starts` (`queue`,`started_at`);--> statement-breakpoint
ALTER TABLE `jobs` ADD `concurrency_key` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `concurrency_limit` integer;--> statement-breakpoint
CREATE INDEX `jobs_waiting_idx` ON `jobs` (`concurrency_key`,priority DESC,`run_at`,`id`) WHERE state = 'pending' AND scheduled = 4;--> statement-breakpoint
CREATE INDEX `jobs_slot_idx` ON `jobs` (`concurrency_key`) WHERE concurrency_key IS NOT NULL AND (state = 'running' OR (state = 'pending' AND scheduled IN (0, 5)));--> statement-breakpoint
CREATE INDEX `jobs_rate_claim_idx` ON `jobs` (`queue`,priority DESC,`run_at`,`id`) WHERE state = 'pending' AND scheduled = 5;