ALTER TABLE `workers` ADD `job_names` text;--> statement-breakpoint
-- Cancels acknowledged while a job's worker was dead could leave the flag on a pending job: end them as asked.
UPDATE `jobs` SET `state` = 'cancelled', `scheduled` = 0, `cancel_requested` = 0, `error` = 'Cancelled before it ran',
  `completed_at` = CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE `state` = 'pending' AND `cancel_requested` = 1;
