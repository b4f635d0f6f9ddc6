import {
  describeError, JobCancelledError, RetryLaterError, JobsError, JobTimeoutError, LeaseLostError, NonRetryableError, WorkerShutdownError,
} from '../../core/errors';
import type { LogLine, Outcome } from '../../core/outcome';
import { jobEvents } from './events';
import type { Job, JobClass } from './job';
import { checkParams } from './job-spec';
import type { JobContext, JobLogger, ParentJob } from './types';

export interface AttemptRun {
  jobId: string;
  jobName: string;
  attempt: number;
  maxAttempts: number;
  timeoutMs: number;
  /** How long a job that ignores its aborted signal is waited for. */
  abortGraceMs: number;
  /** Aborted from outside with a LeaseLostError, JobCancelledError or WorkerShutdownError. */
  stop?: AbortSignal;
  onProgress(percent: number, message: string | null): Promise<void>;
  parents(): Promise<ParentJob[]>;
}

export interface AttemptResult {
  outcome: Outcome;
  logs: LogLine[];
  startedAt: number;
  durationMs: number;
}

/**
 * Runs one attempt of a job and says what it came to; never throws. At the
 * timeout (or an outside stop) the job's signal aborts; a job that ignores it
 * is abandoned after `abortGraceMs` and any late result is ignored.
 */
export async function executeAttempt(jobClass: JobClass, rawParams: unknown, run: AttemptRun): Promise<AttemptResult> {
  const startedAt = Date.now();
  const logs: LogLine[] = [];
  const controller = new AbortController();
  // Stopped before it began (its lease already lost, a shutdown, a cancel): perform() is never called.
  if (run.stop?.aborted) return { outcome: abortOutcome(run.stop.reason), logs, startedAt, durationMs: 0 };
  const timers: NodeJS.Timeout[] = [];
  const abortWith = (reason: unknown) => controller.signal.aborted || controller.abort(reason);
  timers.push(setTimeout(() => abortWith(new JobTimeoutError(run.timeoutMs)), run.timeoutMs));
  const onStop = () => abortWith(run.stop?.reason);
  run.stop?.addEventListener('abort', onStop, { once: true });

  let instance: Job<unknown, unknown>;
  try {
    instance = new jobClass();
  } catch (error) {
    timers.forEach(clearTimeout);
    run.stop?.removeEventListener('abort', onStop);
    const outcome: Outcome = { kind: 'failed', error: describeError(error), retryable: false };
    return { outcome, logs, startedAt, durationMs: Date.now() - startedAt };
  }
  const context: JobContext = {
    jobId: run.jobId,
    jobName: run.jobName,
    attempt: run.attempt,
    maxAttempts: run.maxAttempts,
    signal: controller.signal,
    logger: makeLogger(run, logs),
    updateProgress: (percent, message) => run.onProgress(clampPercent(percent), message ?? null),
    parents: () => run.parents(),
  };

  const work = (async () => bindJob(instance, context)(checkParams(jobClass, rawParams)))().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const abandoned = new Promise<'abandoned'>((resolve) => {
    controller.signal.addEventListener('abort', () => timers.push(setTimeout(() => resolve('abandoned'), run.abortGraceMs)), { once: true });
  });
  const settled = await Promise.race([work, abandoned]);
  timers.forEach(clearTimeout);
  run.stop?.removeEventListener('abort', onStop);

  const durationMs = Date.now() - startedAt;
  if (controller.signal.aborted) return { outcome: abortOutcome(controller.signal.reason), logs, startedAt, durationMs };
  if (settled === 'abandoned') throw new Error('unreachable: abandoned without an abort');
  if (settled.ok) return { outcome: { kind: 'completed', result: settled.value }, logs, startedAt, durationMs };
  const retryDelayMs = settled.error instanceof RetryLaterError ? Math.max(0, settled.error.delayMs) : undefined;
  const outcome: Outcome = { kind: 'failed', error: describeError(settled.error), retryable: isRetryable(instance, settled.error), ...(retryDelayMs === undefined ? {} : { retryDelayMs }) };
  return { outcome, logs, startedAt, durationMs };
}

/** Once the signal has aborted, its reason decides the outcome, whatever the job did after. */
function abortOutcome(reason: unknown): Outcome {
  const error = describeError(reason);
  if (reason instanceof LeaseLostError) return { kind: 'lease_lost' };
  if (reason instanceof JobCancelledError) return { kind: 'cancelled', error };
  if (reason instanceof WorkerShutdownError) return { kind: 'interrupted', error };
  if (reason instanceof JobTimeoutError) return { kind: 'timed_out', error };
  return { kind: 'failed', error, retryable: true };
}

function isRetryable(instance: Job<unknown, unknown>, error: unknown): boolean {
  if (error instanceof NonRetryableError) return false;
  if (error instanceof JobsError && error.code === 'invalid_params') return false; // will never pass
  try {
    return instance.retryable(error) !== false;
  } catch {
    return true;
  }
}

/** Hands the runner access to a job's context and perform(), which users see as protected. */
function bindJob<P, R>(instance: Job<P, R>, context: JobContext): (params: P) => Promise<R> {
  (instance as unknown as { runContext: JobContext }).runContext = context;
  return (params) => instance['perform'](params);
}

function makeLogger(run: AttemptRun, logs: LogLine[]): JobLogger {
  const log = (level: LogLine['level']) => (message: string, data?: unknown) => {
    const line: LogLine = { at: Date.now(), level, message: String(message), ...(data === undefined ? {} : { data: toLoggable(data) }) };
    logs.push(line);
    jobEvents.emit('job.log', { jobId: run.jobId, jobName: run.jobName, attempt: run.attempt, line });
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function clampPercent(percent: number): number {
  return Number.isFinite(percent) ? Math.min(100, Math.max(0, Math.round(percent))) : 0;
}

/** Log data is stored as JSON: anything that is not becomes its string form. */
function toLoggable(data: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(data));
  } catch {
    return String(data);
  }
}
