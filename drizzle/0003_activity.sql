CREATE TABLE `activity` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`job_ids` text,
	`job_count` integer DEFAULT 0 NOT NULL,
	`details` text
);
