import type { BatchOptions, BatchResult, DeclaredSchedule, JobContext, JobLogger, JobMetadata, JobOptions, JobWebhook, LaterOptions, ParamSchema } from './types';
import { enqueueInTransactionOf, enqueueMany } from './enqueue';
import { runBatch, runNow } from './run-now';
import { executeFromDatabase } from './execute-from-database';

/** A concrete job class: what `.later()` and the registry take. */
export interface JobClass<P = any, R = any> {
  new (): Job<P, R>;
  readonly name: string;
  jobName?: string;
  options?: JobOptions;
  params?: ParamSchema;
  schedule?: DeclaredSchedule;
  webhook?: JobWebhook;
  description?: string;
  startupNotice?(): string | null | undefined;
  encrypt?: readonly string[];
}

/** The params and result types of a job class. */
export type ParamsOf<C> = C extends JobClass<infer P, any> ? P : never;
export type ResultOf<C> = C extends JobClass<any, infer R> ? R : never;

/**
 * A background job. Subclass it, give it a stable `static jobName`, implement
 * `perform`, list the class in src/jobs/index.ts, and call it:
 * `.now(params)` runs it here; `.later(params, opts)` stores it for a worker.
 */
export abstract class Job<P = Record<string, unknown>, R = unknown> {
  /** Stable name stored with each job; defaults from a class name ending in "Job" (SendEmailJob -> send-email). */
  static jobName?: string;
  /** Defaults for every run of this job. */
  static options?: JobOptions;
  /** Optional zod (or any `parse`) schema the params must pass at enqueue and at run time. */
  static params?: ParamSchema;
  /**
   * Optional cron schedule, e.g. `{ cron: '0 2 * * *', tz: 'Europe/Paris' }`, synced by the poller at
   * start; or a function of the configuration returning one or undefined (an env var switches it).
   */
  static schedule?: DeclaredSchedule;
  /**
   * Optional URL posted (signed, retried) when a job of this class completes, fails or is
   * cancelled, besides JOBS_WEBHOOK_URL: `'https://example.com/hooks'`, or
   * `{ url, on: ['failed'] }` for some of the three.
   */
  static webhook?: JobWebhook;
  /** One sentence on what the job does, shown by `bin/jobs types` and the admin Enqueue page. */
  static description?: string;
  /**
   * Optional: a line each worker logs once when it starts, for a job whose
   * setup a person should know about (send-email without SMTP_URL writes files
   * instead of sending); null or nothing for none.
   */
  static startupNotice?(): string | null | undefined;
  /**
   * Param paths stored encrypted (AES-256-GCM, JOBS_ENCRYPTION_KEYS), e.g.
   * `['apiKey', 'card.number']`: each path's whole value, whatever it is, is
   * encrypted at enqueue, decrypted only for the run, and shown as "[encrypted]"
   * everywhere else. Default none.
   */
  static encrypt?: readonly string[];

  /** Carries P and R for type inference only; never set. */
  declare readonly __types?: { params: P; result: R };

  /** Set by the runner before perform() is called. */
  private runContext?: JobContext;

  /** The job's work. Throw to fail the attempt; throw NonRetryableError to fail the job. */
  protected abstract perform(params: P): Promise<R>;

  /**
   * Whether a failed attempt should be retried (when attempts remain).
   * NonRetryableError never is. Override to skip e.g. HTTP 4xx responses.
   */
  retryable(_error: unknown): boolean {
    return true;
  }

  protected get context(): JobContext {
    if (!this.runContext) throw new Error('The job context exists only while perform() runs');
    return this.runContext;
  }

  /** Lines stored with the attempt and shown by `bin/jobs status`. */
  protected get logger(): JobLogger {
    return this.context.logger;
  }

  /** Aborts on timeout, cancellation, a lost lease or a forced shutdown: pass it to fetch() and the like. */
  protected get signal(): AbortSignal {
    return this.context.signal;
  }

  /** Records progress: 0-100 and an optional message. */
  protected updateProgress(percent: number, message?: string): Promise<void> {
    return this.context.updateProgress(percent, message);
  }

  /** Runs the job in this process and returns its result with metadata; throws JobFailedError if it fails. */
  static now<P, R>(this: JobClass<P, R>, params: P): Promise<{ data: R; metadata: JobMetadata }> {
    return runNow(this, params);
  }

  /**
   * Stores the job for a worker and returns its id at once. With `{ tx }` the
   * job is inserted in that Drizzle transaction and commits with it.
   */
  static later<P, R>(this: JobClass<P, R>, params: P, options: LaterOptions = {}): Promise<string> {
    if (options.tx) return enqueueInTransactionOf(this, params, options);
    return enqueueMany(this, [params], options).then(([id]) => id);
  }

  /** Stores many jobs in one atomic write (one round trip); returns their ids in order. */
  static laterMany<P, R>(this: JobClass<P, R>, list: P[], options: Omit<LaterOptions, 'idempotencyKey'> = {}): Promise<string[]> {
    return enqueueMany(this, list, options);
  }

  /** Runs many jobs in this process, `concurrency` at a time; never throws for a job's failure. */
  static batch<P, R>(this: JobClass<P, R>, list: P[], options: BatchOptions = {}): Promise<BatchResult<R>[]> {
    return runBatch(this, list, options);
  }

  /** Runs a stored pending job in this process as its owner, records the outcome, and returns its result. */
  static executeFromDatabase<P, R>(this: JobClass<P, R>, id: string): Promise<{ data: R; metadata: JobMetadata }> {
    return executeFromDatabase(this, id);
  }
}
