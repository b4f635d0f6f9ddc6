import type { Backoff, StoredBackoff } from '../../core/backoff';
import type { Priority } from '../../core/priority';
import type { MisfirePolicy } from '../../core/cron';
import type { JobState } from '../../core/states';

/** Defaults a job class sets with `static options`; each falls back to the environment's default. */
/** A class's webhook: a URL for every end, or the ends to post. */
export type JobWebhook = string | { url: string; on?: ('completed' | 'failed' | 'cancelled')[] };

export interface JobOptions {
  /** Queue the job goes to. Default 'default'. */
  queue?: string;
  /** critical (10), high (5), normal (0), low (-5) or any integer; higher runs first. Default normal. */
  priority?: Priority;
  /** Attempts before the job fails for good. Default JOBS_MAX_ATTEMPTS (3). */
  maxAttempts?: number;
  /** Wait between attempts. Default exponential with full jitter from JOBS_RETRY_DELAY_MS (1000 ms). */
  backoff?: Backoff;
  /** Run time (ms, or '30s') before the job's signal aborts. Default JOBS_TIMEOUT_MS (60000 ms). */
  timeout?: number | string;
  /**
   * Jobs with the same key run at most `concurrencyLimit` at a time, across every worker:
   * a string, or a function of the params (e.g. `(p) => \`export:${p.tenantId}\``); null for none.
   */
  concurrencyKey?: string | ((params: any) => string | null | undefined);
  /** Slots of the concurrency key. Default 1. */
  concurrencyLimit?: number;
}

/** Options of one `.later()` call; each overrides the class's option of the same name. */
export interface LaterOptions {
  queue?: string;
  priority?: Priority;
  maxAttempts?: number;
  backoff?: StoredBackoff;
  timeout?: number | string;
  /** Run no earlier than this long from now: ms or '5m'. */
  delay?: number | string;
  /** Run no earlier than this time. */
  runAt?: Date | string | number;
  /** While a job with this key is pending or running, enqueuing again returns its id instead of a new job. */
  idempotencyKey?: string;
  /** A Drizzle transaction (or database) to insert the job in, so it commits with the app's own writes. */
  tx?: unknown;
  /** Ids of jobs that must end before this one runs; their results are at hand through `context.parents()`. */
  dependsOn?: string[];
  /** When a job it depends on fails or is cancelled: 'fail' this one too (default), or 'run' it anyway. */
  onParentFailure?: 'fail' | 'run';
  /** Jobs with the same key run at most `concurrencyLimit` at a time, across every worker. Overrides the class's. */
  concurrencyKey?: string;
  /** Slots of the concurrency key. Default: the class's, else 1. */
  concurrencyLimit?: number;
  /** A person's title for this one job, shown beside its name (at most 200 characters). Default none. */
  title?: string;
  /** A person's description of this one job (at most 2,000 characters). Default none. */
  description?: string;
}

/** A param schema: anything with zod's `parse` (which throws on bad input). */
export interface ParamSchema<P = unknown> {
  parse(value: unknown): P;
}

export interface JobMetadata {
  jobName: string;
  jobId: string;
  enqueuedAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  status: JobState;
  attempt: number;
  durationMs: number | null;
  error: string | null;
}

export interface JobLogger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** What a running job can see and do; `createJob` functions get it as their second argument. */
export interface JobContext {
  jobId: string;
  jobName: string;
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
  /** Aborts on timeout, cancellation, a lost lease or a forced shutdown. */
  signal: AbortSignal;
  logger: JobLogger;
  /** Stores progress (0-100, clamped) and an optional message; persisted for jobs run by a worker. */
  updateProgress(percent: number, message?: string): Promise<void>;
  /** The jobs this one depends on (`dependsOn`), with their end state and result. */
  parents(): Promise<ParentJob[]>;
}

export interface ParentJob {
  id: string;
  name: string;
  state: string;
  result: unknown;
}

export interface BatchOptions {
  /** Jobs run at once. Default 5. */
  concurrency?: number;
  /** Start no new job after the first failure; those not started are reported as skipped. Default false. */
  stopOnError?: boolean;
}

export type BatchResult<R> =
  | { status: 'completed'; data: R; metadata: JobMetadata }
  | { status: 'failed'; error: Error; metadata: JobMetadata }
  | { status: 'skipped'; params: unknown };

/** A schedule declared on a job class (`static schedule`), synced into cron_jobs by the poller at start. */
export interface CodeSchedule {
  /** Five fields, or six with seconds first: '0 2 * * *'. */
  cron: string;
  /** IANA timezone the expression is read in. Default 'UTC'. */
  tz?: string;
  /** Params each run gets. Default {}. */
  params?: unknown;
  description?: string;
  /** Fires missed while no poller ran: 'skip' (default) or 'run-once'. */
  misfire?: MisfirePolicy;
  /** The schedule's name. Default: the job's name. */
  name?: string;
}
