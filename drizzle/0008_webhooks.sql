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
CREATE INDEX `webhook_targets_name_idx` ON `webhook_targets` (`job_name`);
