import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { JobState } from '../core/states';

/** Every time is epoch milliseconds (integer), so statements compare plain numbers. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(), // UUIDv7
    name: text('name').notNull(),
    queue: text('queue').notNull().default('default'),
    state: text('state').$type<JobState>().notNull(),
    /**
     * Where a pending job waits: 0 in the claim index (the only ones a claim sees), 1 for its
     * run_at (workers promote it when due), 2 while its queue is paused (resume moves it back),
     * 3 for the jobs it depends on (resolved when they end), 4 for a free slot of its
     * concurrency key (granted when one frees), 5 ready in a rate-limited queue (claimed
     * only within the queue's rate, by its own claim).
     */
    scheduled: integer('scheduled').notNull().default(0),
    priority: integer('priority').notNull().default(0),
    params: text('params').notNull(), // JSON
    result: text('result'), // JSON
    error: text('error'), // the last attempt's error message
    progress: integer('progress').notNull().default(0), // 0-100
    progressMessage: text('progress_message'),
    attempts: integer('attempts').notNull().default(0), // attempts started
    maxAttempts: integer('max_attempts').notNull(),
    backoff: text('backoff'), // JSON StoredBackoff, null = the defaults
    timeoutMs: integer('timeout_ms').notNull(),
    runAt: integer('run_at').notNull(),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'), // the current or last attempt's start
    completedAt: integer('completed_at'), // when it reached a terminal state
    lockedBy: text('locked_by'), // worker id holding the lease
    lockedUntil: integer('locked_until'), // lease expiry
    idempotencyKey: text('idempotency_key'),
    /** The cron schedule that enqueued it, if any. */
    scheduleName: text('schedule_name'),
    /** 1 once someone cancelled it while it ran: its worker aborts it at the next heartbeat. */
    cancelRequested: integer('cancel_requested').notNull().default(0),
    /** For a job with dependencies: 'fail' it when one of them fails or is cancelled, or 'run' it anyway. */
    parentFailure: text('parent_failure').$type<'fail' | 'run'>(),
    /** 1 once another job depends on it: its end resolves them at once (a sweep catches the rest). */
    hasDependents: integer('has_dependents').notNull().default(0),
    /** Jobs sharing a key run at most `concurrency_limit` at a time, across every worker. */
    concurrencyKey: text('concurrency_key'),
    concurrencyLimit: integer('concurrency_limit'),
    /** A person's title and description for this one job (the NestJS API's name / description). */
    title: text('title'),
    description: text('description'),
    /**
     * The fingerprint (src/core/fingerprint.ts) of the failure that ended it, set by every
     * statement that fails a job; null for jobs that failed before migration 0005 (their
     * group is 'unknown'). Kept after a retry by hand, but counted only while the job is failed.
     */
    fingerprint: text('fingerprint'),
  },
  (t) => [
    // The claim: one index seek in priority, run_at, id order over due pending jobs only.
    index('jobs_claim_idx').on(sql`priority DESC`, t.runAt, t.id).where(sql`state = 'pending' AND scheduled = 0`),
    index('jobs_queue_claim_idx').on(t.queue, sql`priority DESC`, t.runAt, t.id).where(sql`state = 'pending' AND scheduled = 0`),
    // Promotion of scheduled jobs that came due, and the next due time.
    index('jobs_due_idx').on(t.runAt).where(sql`state = 'pending' AND scheduled = 1`),
    // Jobs waiting for the jobs they depend on.
    index('jobs_blocked_idx').on(t.id).where(sql`state = 'pending' AND scheduled = 3`),
    // Jobs waiting for a slot of their concurrency key, in the order slots are granted.
    index('jobs_waiting_idx').on(t.concurrencyKey, sql`priority DESC`, t.runAt, t.id).where(sql`state = 'pending' AND scheduled = 4`),
    // The jobs holding a slot of their key: granted (ready to claim) or running.
    index('jobs_slot_idx').on(t.concurrencyKey).where(sql`concurrency_key IS NOT NULL AND (state = 'running' OR (state = 'pending' AND scheduled IN (0, 5)))`),
    // The claim of a rate-limited queue.
    index('jobs_rate_claim_idx').on(t.queue, sql`priority DESC`, t.runAt, t.id).where(sql`state = 'pending' AND scheduled = 5`),
    // A paused queue's jobs, for resume.
    index('jobs_paused_idx').on(t.queue).where(sql`state = 'pending' AND scheduled = 2`),
    // Expired leases, and one worker's jobs for its heartbeat.
    index('jobs_lease_idx').on(t.lockedUntil).where(sql`state = 'running'`),
    index('jobs_owner_idx').on(t.lockedBy).where(sql`state = 'running'`),
    // Lists by name, and cleanup. No index on state alone: every claim and finish would
    // rewrite it (about 2 of the 7 pages such a transition writes); lists by state walk ids.
    index('jobs_name_idx').on(t.name, t.id),
    // Cleanup by age; partial, so enqueue and claim never pay for it. Only finished jobs have a
    // completed_at, and SQLite can see that `completed_at < ?` implies this WHERE.
    index('jobs_finished_idx').on(t.state, t.completedAt).where(sql`completed_at IS NOT NULL`),
    // One failure group's jobs, newest failure first, for its list and its retry / discard: a
    // covering range read (the 'unknown' group is fingerprint IS NULL). Partial, so only a job
    // failing, or a failed one retried or deleted, writes it.
    index('jobs_failure_idx').on(t.name, t.fingerprint, t.completedAt, t.id).where(sql`state = 'failed'`),
    // A schedule's jobs, newest first: its last run on the schedules page. Partial, so only the jobs
    // a schedule enqueued are in it, written once when they are inserted (schedule_name never changes).
    index('jobs_schedule_idx').on(t.scheduleName, t.id).where(sql`schedule_name IS NOT NULL`),
    uniqueIndex('jobs_idempotency_idx').on(t.idempotencyKey).where(sql`idempotency_key IS NOT NULL AND state IN ('pending', 'running')`),
  ],
);

/** One row per attempt that ended, with what it logged. */
export const jobAttempts = sqliteTable(
  'job_attempts',
  {
    id: integer('id').primaryKey(), // rowid; AUTOINCREMENT would cost a page write per attempt
    jobId: text('job_id').notNull(),
    attempt: integer('attempt').notNull(),
    workerId: text('worker_id'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    /** completed, failed, timed_out, cancelled, or lost (the worker's lease expired). */
    outcome: text('outcome').notNull(),
    error: text('error'),
    errorStack: text('error_stack'),
    logs: text('logs'), // JSON LogLine[]
  },
  (t) => [
    uniqueIndex('job_attempts_job_idx').on(t.jobId, t.attempt),
    // The report job's period: attempts by end time. On the hot path (every attempt's end
    // inserts into it), but at its right edge, where the batch's other new rows already dirty
    // the same page; without it a report of one hour reads every attempt ever kept.
    index('job_attempts_finished_idx').on(t.finishedAt),
  ],
);

/** Every progress report, for the history shown by status and the admin page. */
export const jobProgress = sqliteTable(
  'job_progress',
  {
    id: integer('id').primaryKey(),
    jobId: text('job_id').notNull(),
    attempt: integer('attempt').notNull(),
    percent: integer('percent').notNull(),
    message: text('message'),
    at: integer('at').notNull(),
  },
  (t) => [index('job_progress_job_idx').on(t.jobId, t.id)],
);

export const cronJobs = sqliteTable(
  'cron_jobs',
  {
    name: text('name').primaryKey(),
    jobName: text('job_name').notNull(),
    cron: text('cron').notNull(), // five or six fields, as croner reads them
    timezone: text('timezone').notNull().default('UTC'), // IANA
    params: text('params').notNull().default('{}'), // JSON
    description: text('description'),
    enabled: integer('enabled').notNull().default(1),
    /** What to do with fires missed while no poller ran: 'skip' them, or 'run-once' for all of them. */
    misfire: text('misfire').$type<'skip' | 'run-once'>().notNull().default('skip'),
    /** 'code' for schedules declared on a job class (synced at start), 'operator' for ones added by hand. */
    source: text('source').$type<'code' | 'operator'>().notNull().default('operator'),
    lastRunAt: integer('last_run_at'), // the last fire time that enqueued a job
    nextRunAt: integer('next_run_at'), // the next fire time; the poller's compare-and-set key
    runsTotal: integer('runs_total').notNull().default(0),
    runsCompleted: integer('runs_completed').notNull().default(0),
    runsFailed: integer('runs_failed').notNull().default(0),
    runsMissed: integer('runs_missed').notNull().default(0), // fires skipped by the misfire policy
    lastMissedAt: integer('last_missed_at'), // when a poller last recorded a missed fire (the schedule-missed alert)
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('cron_jobs_next_idx').on(t.nextRunAt).where(sql`enabled = 1`)],
);

/** Job `job_id` waits for job `parent_id` to end. */
export const jobDependencies = sqliteTable(
  'job_dependencies',
  {
    jobId: text('job_id').notNull(),
    parentId: text('parent_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.parentId] }), index('job_dependencies_parent_idx').on(t.parentId)],
);

/** Queues no worker takes jobs from until they are resumed. */
export const pausedQueues = sqliteTable('paused_queues', {
  queue: text('queue').primaryKey(),
  pausedAt: integer('paused_at').notNull(),
});

/** Queues whose jobs start at most `rate_max` times in any `rate_duration_ms`, across every worker. */
export const queueLimits = sqliteTable('queue_limits', {
  queue: text('queue').primaryKey(),
  rateMax: integer('rate_max').notNull(),
  rateDurationMs: integer('rate_duration_ms').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * When each job of a rate-limited queue was claimed: the ledger the rate is counted in
 * (jobs.started_at keeps only the last attempt). Rows older than the window are pruned.
 */
export const queueRateStarts = sqliteTable(
  'queue_rate_starts',
  {
    id: integer('id').primaryKey(),
    queue: text('queue').notNull(),
    jobId: text('job_id').notNull(),
    startedAt: integer('started_at').notNull(),
  },
  (t) => [index('queue_rate_starts_idx').on(t.queue, t.startedAt)],
);

export const workers = sqliteTable(
  'workers',
  {
    id: text('id').primaryKey(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    queues: text('queues').notNull(), // comma-separated, '*' for all
    concurrency: integer('concurrency').notNull(),
    /** JSON array of the job names it can run: it claims only those. Null for workers from before names were recorded. */
    jobNames: text('job_names'),
    startedAt: integer('started_at').notNull(),
    lastHeartbeatAt: integer('last_heartbeat_at').notNull(),
    stoppedAt: integer('stopped_at'),
  },
  (t) => [index('workers_heartbeat_idx').on(t.lastHeartbeatAt)],
);

/**
 * The action log: every change made through the page, the API or the CLI, and every login.
 * Append-only; read newest first by id (a keyset), so it needs no index of its own.
 */
export const activity = sqliteTable('activity', {
  id: integer('id').primaryKey(), // rowid: grows with each entry
  at: integer('at').notNull(),
  /** Who: the role of the token or session (admin, readonly), or cli for bin/jobs. */
  actor: text('actor').$type<'admin' | 'readonly' | 'cli'>().notNull(),
  /** What, as noun.verb: job.cancel, job.retry, queue.pause, schedule.add, session.login ... */
  action: text('action').notNull(),
  /** The queue or schedule it was about, if any. */
  target: text('target'),
  /** JSON array of the job ids it touched (at most activityMaxJobIds of them), or null. */
  jobIds: text('job_ids'),
  /** How many jobs it touched, including those beyond the stored ids. */
  jobCount: integer('job_count').notNull().default(0),
  /** JSON object with anything else worth keeping (a note, a rate, counts). */
  details: text('details'),
});

/**
 * The change feed: one row per change of a job's state, progress or wait reason, written by
 * triggers (migrations 0004, 0006) in the same transaction as the change, so no writer can
 * forget one and a reader that has seen id N has seen every change before it (SQLite has one
 * writer at a time: ids become visible in order, with no gaps). What SSE streams serve.
 * Pruned by age and count; the newest row is always kept, so ids never restart.
 */
export const jobEvents = sqliteTable('job_events', {
  id: integer('id').primaryKey(), // rowid: grows with each change
  jobId: text('job_id').notNull(),
  /** enqueued, scheduled, started, progress, completed, failed, retrying, cancelled or changed. */
  kind: text('kind').notNull(),
  queue: text('queue').notNull(),
  name: text('name').notNull(),
  state: text('state').$type<JobState>().notNull(),
  scheduled: integer('scheduled').notNull(),
  progress: integer('progress').notNull(),
  attempt: integer('attempt').notNull(),
  at: integer('at').notNull(),
  /** The state and wait reason (jobs.scheduled if pending, else 0) it left; null for a job inserted. */
  fromState: text('from_state').$type<JobState>(),
  fromWaiting: integer('from_waiting'),
  /** For a change into completed, failed or cancelled: jobs.completed_at. */
  endedAt: integer('ended_at'),
  /** For a change into completed with both times: completed_at - started_at. */
  runMs: integer('run_ms'),
});

/**
 * Where the change feed has been folded into job_counts and job_minutes (one row, id 1):
 * the triggers only append a change, and foldChanges adds the changes after `folded` to
 * the counts in one transaction, so the hot path writes one row per change, not three.
 */
export const feedState = sqliteTable('feed_state', {
  id: integer('id').primaryKey(),
  folded: integer('folded').notNull(),
});

/**
 * How many jobs each queue holds per state (and, for pending ones, per wait reason: the
 * `scheduled` code): the change feed folded in (store/fold.ts), and decremented by trigger
 * when a job is deleted, so stats never count the jobs table.
 */
export const jobCounts = sqliteTable(
  'job_counts',
  {
    queue: text('queue').notNull(),
    state: text('state').$type<JobState>().notNull(),
    /** jobs.scheduled for pending jobs, 0 otherwise. */
    waiting: integer('waiting').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.queue, t.state, t.waiting] })],
);

/**
 * Jobs that ended (or went back to wait for a retry) per minute, queue and name, with a
 * histogram of their last attempt's run time: throughput, failure rate and percentiles
 * over any window without reading a job; the change feed folded in (store/fold.ts). Bucket i
 * holds run times up to runTimeBucketsMs[i].
 */
export const jobMinutes = sqliteTable(
  'job_minutes',
  {
    minute: integer('minute').notNull(), // epoch ms / 60000
    queue: text('queue').notNull(),
    name: text('name').notNull(),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    cancelled: integer('cancelled').notNull().default(0),
    retried: integer('retried').notNull().default(0),
    runMsTotal: integer('run_ms_total').notNull().default(0),
    /** JSON array of counts, one per bucket of runTimeBucketsMs plus one for longer. */
    histogram: text('histogram').notNull(),
  },
  (t) => [primaryKey({ columns: [t.minute, t.queue, t.name] })],
);

/**
 * job_minutes' figures summed over all time, per queue and name: the counters and the
 * run-time histogram of GET /api/metrics. Folded from the change feed in the same
 * transaction as job_minutes (store/fold.ts), never pruned, so they only ever grow.
 */
export const jobTotals = sqliteTable(
  'job_totals',
  {
    queue: text('queue').notNull(),
    name: text('name').notNull(),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    cancelled: integer('cancelled').notNull().default(0),
    retried: integer('retried').notNull().default(0),
    runMsTotal: integer('run_ms_total').notNull().default(0),
    /** JSON array of counts, one per bucket of runTimeBucketsMs plus one for longer. */
    histogram: text('histogram').notNull(),
  },
  (t) => [primaryKey({ columns: [t.queue, t.name] })],
);

/**
 * What each failure fingerprint stands for: written once, by the statement batch that
 * fails a job with it (a fingerprint is a hash of these, so they never change).
 */
export const failureFingerprints = sqliteTable('failure_fingerprints', {
  fingerprint: text('fingerprint').primaryKey(),
  errorName: text('error_name').notNull(),
  /** The normalised message. */
  message: text('message').notNull(),
  /** The first stack frame in the app, without line and column; null if none. */
  frame: text('frame'),
});

/**
 * Failed jobs per job name and fingerprint, kept exact by the triggers of migration 0005
 * in the transaction of each change (a job failing, a failed job retried or deleted), so
 * the failures page reads a few rows and never groups the jobs table. A group whose jobs
 * were all retried or deleted keeps its row, with failed = 0, and its first and last
 * seen, which are when a job first and last failed with it.
 */
export const failureGroups = sqliteTable(
  'failure_groups',
  {
    name: text('name').notNull(), // the job name
    fingerprint: text('fingerprint').notNull(), // 'unknown' for jobs.fingerprint null
    failed: integer('failed').notNull(),
    firstSeen: integer('first_seen').notNull(),
    lastSeen: integer('last_seen').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.name, t.fingerprint] }),
    // The page lists groups with failed jobs, newest failure first, a keyset page at a time.
    index('failure_groups_recent_idx').on(t.lastSeen, t.name, t.fingerprint).where(sql`failed > 0`),
  ],
);

/**
 * Where a job's end is posted: a row per URL and job name ('*': every job). Written by each
 * worker and cron poller at start from JOBS_WEBHOOK_URL ('env') and the classes' `static webhook`
 * ('code'); read by every statement that ends a job (store/webhooks.ts), which inserts a delivery job in the batch
 * of the job's end, so a delivery is never lost to a crash.
 */
export const webhookTargets = sqliteTable(
  'webhook_targets',
  {
    id: integer('id').primaryKey(),
    jobName: text('job_name').notNull(),
    url: text('url').notNull(),
    source: text('source').$type<'env' | 'code'>().notNull(),
    onCompleted: integer('on_completed').notNull().default(1),
    onFailed: integer('on_failed').notNull().default(1),
    onCancelled: integer('on_cancelled').notNull().default(1),
    /** The delivery job's options, copied into each delivery (its queue is always 'webhooks'). */
    priority: integer('priority').notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    backoff: text('backoff').notNull(), // JSON StoredBackoff
    timeoutMs: integer('timeout_ms').notNull(),
  },
  (t) => [index('webhook_targets_name_idx').on(t.jobName)],
);

/** An alert rule, added from the CLI; the cron poller checks it every alertCheckIntervalMs. */
export const alertRules = sqliteTable('alert_rules', {
  name: text('name').primaryKey(),
  kind: text('kind').$type<'failure-rate' | 'queue-age' | 'no-worker' | 'schedule-missed' | 'job-failed'>().notNull(),
  /** What it watches: a job name, a queue or a schedule; null for all of them. */
  jobName: text('job_name'),
  queue: text('queue'),
  scheduleName: text('schedule_name'),
  /** failure-rate: percent (0-100); queue-age: ms; unused by the other kinds. */
  threshold: integer('threshold'),
  windowMs: integer('window_ms').notNull(),
  /** failure-rate: fewest ended jobs in the window before a rate counts. */
  minCount: integer('min_count').notNull(),
  /** slack:URL, webhook:URL or email:ADDRESS. */
  notify: text('notify').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Whether a rule fires, per subject (a job name, a queue, a schedule; '' for
 * the rule as a whole). Moved only by a compare-and-set on `firing`, in the
 * batch that enqueues the notification, so one poller notifies each change.
 */
export const alertStates = sqliteTable(
  'alert_states',
  {
    ruleName: text('rule_name').notNull(),
    subject: text('subject').notNull(),
    firing: integer('firing').notNull().default(0),
    /** When it started firing (or cleared). */
    since: integer('since').notNull(),
    /** The text of the last notification. */
    message: text('message').notNull(),
    notifiedAt: integer('notified_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ruleName, t.subject] })],
);

export type JobRow = typeof jobs.$inferSelect;
export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertStateRow = typeof alertStates.$inferSelect;
export type AttemptRow = typeof jobAttempts.$inferSelect;
export type ProgressRow = typeof jobProgress.$inferSelect;
export type CronJobRow = typeof cronJobs.$inferSelect;
export type WorkerRow = typeof workers.$inferSelect;
export type QueueLimitRow = typeof queueLimits.$inferSelect;
export type ActivityRow = typeof activity.$inferSelect;
export type JobEventRow = typeof jobEvents.$inferSelect;
export type FailureGroupRow = typeof failureGroups.$inferSelect;
export type WebhookTargetRow = typeof webhookTargets.$inferSelect;
