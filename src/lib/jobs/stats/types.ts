/**
 * The one stats shape: GET /api/stats, GET /api/jobs/stats and
 * `bin/jobs stats --json` all answer it. Times are ISO-8601 UTC, durations ms.
 */
export interface StatsJson {
  /** When this was read (the `now` it was computed for). */
  generatedAt: string;
  /** The queue asked for, or null for every queue. */
  queue: string | null;
  /** The history covered by throughput, totals and names: the last `hours` hours up to `to`. */
  window: { hours: number; from: string; to: string };
  /** Jobs per state, over every queue shown. */
  counts: StateCounts;
  /** Every queue that holds a job, is paused or has a rate limit (or just the one asked for), by name. */
  queues: QueueStats[];
  /** Minutes of the window with any end or retry, oldest first; a minute with none is left out. */
  throughput: MinuteCounts[];
  totals: WindowTotals;
  /** Per job name with any end or retry in the window, by name. */
  names: NameStats[];
  /**
   * Upper bounds (ms) of the run-time histogram's buckets. The percentiles in
   * `names` are estimates from these buckets, not exact: interpolated linearly
   * inside the bucket they fall in, and one beyond the last bound is reported as it.
   */
  runTimeBucketsMs: number[];
}

export interface StateCounts {
  /** Every job, in any state. */
  total: number;
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Why the pending jobs wait; the five add up to `pending`. */
  waiting: WaitingCounts;
}

export interface WaitingCounts {
  /** Due, waiting only for a worker (in a rate-limited queue too: its rate shows on the queue). */
  ready: number;
  /** Waiting for their time: delayed by their caller, or a retry's backoff. */
  scheduled: number;
  /** Their queue is paused. */
  paused: number;
  /** Waiting for the jobs they depend on. */
  blocked: number;
  /** Waiting for a free slot of their concurrency key. */
  throttled: number;
}

export interface QueueStats {
  queue: string;
  counts: StateCounts;
  paused: boolean;
  /** At most `max` starts in any `durationMs` (`rate` as text, e.g. "100/1m"), or null. */
  rateLimit: { max: number; durationMs: number; rate: string } | null;
  /** The job that has been ready the longest, or null when none is ready. */
  oldestReady: OldestReady | null;
}

export interface OldestReady {
  id: string;
  /** The id as people are shown it (019a885b…0aa1). */
  shortId: string;
  /** Since when it has been due (its run-at). */
  since: string;
  /** How long it has waited at generatedAt. */
  ageMs: number;
}

export interface MinuteCounts {
  /** The minute's start. */
  minute: string;
  /** Jobs that ended in this state in this minute. */
  completed: number;
  failed: number;
  cancelled: number;
  /** Attempts that failed and went back to wait for a retry (counted in the database's clock minute). */
  retried: number;
}

export interface WindowTotals {
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  /** failed / (completed + failed), 0 to 1 to 4 decimals; null when neither happened. */
  failureRate: number | null;
  /** Jobs that ended (completed, failed or cancelled) per minute, averaged over the whole window, to 4 decimals. */
  jobsPerMinute: number;
  /** The last whole minute before generatedAt (the current one is still filling up). */
  lastMinute: MinuteCounts;
}

export interface NameStats {
  name: string;
  completed: number;
  failed: number;
  cancelled: number;
  retried: number;
  /** failed / (completed + failed), as in totals. */
  failureRate: number | null;
  /** Run times of its completed runs, or null when none has one. */
  runTimeMs: RunTimes | null;
}

export interface RunTimes {
  /** Completed runs measured (runs from before the stats migration have no run time). */
  samples: number;
  /** Exact: their summed run time over `samples`, to 0.1 ms. */
  mean: number;
  /** Estimates from the histogram buckets (see runTimeBucketsMs), to 0.1 ms. */
  p50: number;
  p95: number;
  p99: number;
}
