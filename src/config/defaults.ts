/**
 * Every default of Fluent Jobs, in one place, with its unit in the name.
 * Environment variables (see env.ts) and job class options override these.
 */
export const defaults = {
  /** libSQL URL of the database (JOBS_DATABASE_URL, else DATABASE_URL); a relative file path is resolved from the project root. */
  databaseUrl: 'file:data/jobs.db',
  /** Jobs one worker process runs at once. */
  concurrency: 5,
  /** How long a claimed job belongs to its worker without a heartbeat. */
  leaseMs: 30_000,
  /** Longest idle wait before a worker looks for work (the doorbell usually wakes it sooner). */
  pollIntervalMs: 1_000,
  /** Attempts before a job is failed for good. */
  maxAttempts: 3,
  /** Base delay of the default exponential backoff. */
  retryDelayMs: 1_000,
  /** Longest delay exponential backoff ever waits. */
  maxRetryDelayMs: 60 * 60_000,
  /** A job's run time before its signal aborts. */
  timeoutMs: 60_000,
  /** How long a job that ignores its aborted signal is waited for before it is recorded as timed out. */
  abortGraceMs: 2_000,
  /** Largest JSON params a job may be enqueued with. */
  maxParamsBytes: 256 * 1024,
  /** How long a statement waits for another process's write lock before it fails. */
  busyTimeoutMs: 5_000,
  /** On SIGINT/SIGTERM, how long running jobs may take to finish before they are released. */
  shutdownGraceMs: 10_000,
  /** How often a worker's background thread checkpoints the WAL of a local database file. */
  checkpointIntervalMs: 100,
  /** Completed jobs older than this are deleted by the built-in cleanup schedule. */
  cleanCompletedAfter: '1d',
  /** Failed and cancelled jobs older than this are deleted by the built-in cleanup schedule. */
  cleanFailedAfter: '7d',
  /** Per-minute stats rows (job_minutes) older than this are deleted by the built-in cleanup: the longest stats window there is. */
  statsMinutesKeptMs: 7 * 24 * 60 * 60_000,
  /** Hours of history `bin/jobs stats` and GET /api/stats cover when none are asked for. */
  statsWindowHours: 24,
  /** Most hours a stats window may cover: what statsMinutesKeptMs keeps. */
  statsMaxWindowHours: 168,
  /** A cron fire at most this late still runs; older ones were missed and follow the schedule's misfire policy. */
  cronMisfireGraceMs: 60_000,
  /** Longest a cron poller sleeps on a local file between looks (a doorbell ring wakes it when schedules change). */
  cronMaxSleepMs: 60_000,
  /** Keys whose values the job's JSON and the CLI show as "[redacted]", at any depth, compared case-insensitively (JOBS_REDACT_KEYS). */
  redactKeys: ['password', 'token', 'secret', 'apiKey', 'authorization'],
  /** Folder of the generated admin token and the one-time login code (JOBS_DATA_DIR), from the project root; unset, the local database file's folder is used, and this for a remote database. */
  dataDir: 'data',
  /** Shortest JOBS_ADMIN_TOKEN / JOBS_READONLY_TOKEN accepted, in characters (a generated one has 43). */
  minTokenLength: 16,
  /** How long a page login (the signed session cookie) lasts. */
  sessionMaxAgeMs: 7 * 24 * 60 * 60_000,
  /** How long the one-time login URL printed by `npm start` works, if it is not used first. */
  loginCodeMaxAgeMs: 24 * 60 * 60_000,
  /** After a failed login or Bearer token, that client's next attempt waits this long, doubling per failure up to loginBackoffMaxMs. */
  loginBackoffFirstMs: 250,
  loginBackoffMaxMs: 8_000,
  /** Attempts one client may have waiting out its back-off at once; more are refused at once with 429. */
  loginBackoffMaxWaiting: 8,
  /** A client's failures are forgotten this long after its last one; at most loginBackoffClients clients are remembered. */
  loginBackoffForgetMs: 15 * 60_000,
  loginBackoffClients: 10_000,
  /** Changes of jobs (the job_events feed SSE streams read) are kept this long, and at most changeFeedMaxKept of them. */
  changeFeedRetentionMs: 15 * 60_000,
  changeFeedMaxKept: 200_000,
  /** How often each worker folds the change feed into the counts and per-minute stats (reading stats folds first too), and prunes it. */
  changeFeedFoldIntervalMs: 2_000,
  changeFeedPruneIntervalMs: 10_000,
  /** On a local file the feed wakes when the WAL is written, and reads at least this often anyway (a remote database: JOBS_POLL_INTERVAL_MS). */
  changeFeedFilePollMs: 1_000,
  /** Writes within this long of the first share one read of the feed. */
  changeFeedWakeDelayMs: 10,
  /** Changes read per query. */
  changeFeedPageSize: 1_000,
  /** A comment line this often keeps proxies from closing an idle event stream. */
  sseKeepAliveMs: 15_000,
  /** How soon a browser's EventSource reconnects after a stream ends. */
  sseRetryMs: 2_000,
  /** A client that leaves this much unread is disconnected; it reconnects and resumes from the database. */
  sseMaxBufferedBytes: 4 * 1024 * 1024,
  /** Jobs a list shows when no limit is given. */
  listLimit: 50,
  /** Port of the Next.js admin app. */
  port: 3000,
  // Webhooks
  /** A webhook delivery (an http-request job on the 'webhooks' queue): its attempts, backoff and timeout. */
  webhookMaxAttempts: 10,
  webhookRetryDelayMs: 5_000,
  webhookTimeoutMs: 30_000,
  /** A receiver should reject a delivery whose signed timestamp is further than this from its clock (replays). */
  webhookToleranceSec: 300,
  // Built-in jobs: send-email and http-request
  /** The From of an email whose params name none (JOBS_MAIL_FROM). */
  mailFrom: 'Fluent Jobs <jobs@localhost>',
  /** An SMTP server that takes this long to accept the connection, to greet, or to answer any one command fails the attempt (it is retried). */
  smtpConnectTimeoutMs: 30_000,
  smtpSocketTimeoutMs: 60_000,
  /** Most bytes the attachments of one email may have together, as most mail servers take no more. */
  mailAttachmentsMaxBytes: 25 * 1024 * 1024,
  /** A Retry-After further off than this (a misconfigured server: "come back next year") is cut to it. */
  httpRetryAfterMaxMs: 24 * 60 * 60_000,
  // database-backup and report built-in jobs
  /** Backups the database-backup job keeps (JOBS_BACKUP_KEEP); older ones it made are deleted after each backup. */
  backupKeep: 7,
  /** Folder of the backups inside the data folder, unless JOBS_BACKUP_DIR names another. */
  backupDirName: 'backups',
  /** A backup's hidden work file (its copy, its unfinished compressed file) this old was left by a backup that died: the next backup deletes it. */
  backupStaleWorkFileMs: 24 * 60 * 60_000,
  /** Folder of the report job's files inside the data folder. */
  reportDirName: 'reports',
  /** Hours back from now a report covers when its params give no period. */
  reportHours: 24,
  /** Longest period a report may cover, in hours (a year and a day). */
  reportMaxHours: 366 * 24,
  // Metrics and logs
  /** How processes write their log lines (LOG_FORMAT): 'text', readable lines, or 'json', one JSON object per line. */
  logFormat: 'text',
  // Alerts
  /** How often the cron poller checks the alert rules, in ms. */
  alertCheckIntervalMs: 30_000,
  /** The window an alert rule looks back over when added without --window, in ms (15 min). */
  alertWindowMs: 15 * 60_000,
  /** A failure-rate rule counts only once this many jobs ended in its window, so 1 failure of 1 does not fire. */
  alertMinCount: 10,
} as const;

/**
 * The lease is renewed three times per length: a beat that fails (the database
 * locked for a moment) is followed by another well before the worker gives the
 * attempt up at nine tenths of the lease (leaseSafetyMarginMs).
 */
export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(50, Math.floor(leaseMs / 3));
}

/**
 * Running leases are looked at every half lease (at most 5 s); one seen unchanged for a whole lease
 * is taken back, so a crashed worker's job runs again after about one lease plus one or two looks.
 */
export function reapIntervalMs(leaseMs: number): number {
  return Math.max(100, Math.min(5_000, Math.floor(leaseMs / 2)));
}

/**
 * How often a worker checks, on its own monotonic clock, whether an attempt's
 * lease has run out because heartbeats kept failing: a tenth of the lease, 25 ms to 1 s.
 */
export function leaseExpiryCheckMs(leaseMs: number): number {
  return Math.max(25, Math.min(1_000, Math.floor(leaseMs / 10)));
}

/**
 * A worker gives up an attempt this long before its lease can have run out for
 * anyone else, so it has stopped before a reaper can take the job: a tenth of the lease, at most 1 s.
 */
export function leaseSafetyMarginMs(leaseMs: number): number {
  return Math.min(1_000, Math.floor(leaseMs / 10));
}
