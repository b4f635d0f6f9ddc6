CREATE TABLE `job_totals` (
	`queue` text NOT NULL,
	`name` text NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`cancelled` integer DEFAULT 0 NOT NULL,
	`retried` integer DEFAULT 0 NOT NULL,
	`run_ms_total` integer DEFAULT 0 NOT NULL,
	`histogram` text NOT NULL,
	PRIMARY KEY(`queue`, `name`)
) WITHOUT ROWID;
--> statement-breakpoint
-- All-time counters for GET /api/metrics, folded from the change feed with job_minutes (store/fold.ts):
-- no trigger, nothing more on the hot path. They start from what job_minutes holds (the last 7 days),
-- which is every change up to feed_state.folded, the point the next fold starts from.
INSERT INTO job_totals (queue, name, completed, failed, cancelled, retried, run_ms_total, histogram)
  SELECT queue, name, sum(completed), sum(failed), sum(cancelled), sum(retried), sum(run_ms_total),
    json_array(sum(json_extract(histogram, '$[0]')), sum(json_extract(histogram, '$[1]')), sum(json_extract(histogram, '$[2]')), sum(json_extract(histogram, '$[3]')), sum(json_extract(histogram, '$[4]')), sum(json_extract(histogram, '$[5]')), sum(json_extract(histogram, '$[6]')), sum(json_extract(histogram, '$[7]')), sum(json_extract(histogram, '$[8]')), sum(json_extract(histogram, '$[9]')), sum(json_extract(histogram, '$[10]')), sum(json_extract(histogram, '$[11]')), sum(json_extract(histogram, '$[12]')), sum(json_extract(histogram, '$[13]')), sum(json_extract(histogram, '$[14]')), sum(json_extract(histogram, '$[15]')), sum(json_extract(histogram, '$[16]')))
  FROM job_minutes GROUP BY queue, name;
