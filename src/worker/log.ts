import { getConfig } from '../config/env';
import { describeError, isJobsError } from '../core/errors';
import { formatDuration } from '../core/duration';
import type { LogEntry, LogFormat } from '../core/log-line';
import { jobEvents } from '../lib/jobs/events';
import { jobLogEntry } from '../lib/log/job-log';
import { jsonLine, logFormatOf, writeOut } from '../lib/log/process-log';
import type { ReapedJob } from '../store/lease';

export interface WorkerLog {
  started(worker: { id: string; wakeUps?: string }): void;
  stopped(worker: { id: string }): void;
  reaped(job: ReapedJob): void;
  error(what: string, error: unknown): void;
  /** A line about the worker itself that is not an error. */
  note(line: string): void;
  /** A stop signal arrived; `line` says what the worker does about it. */
  signal(signal: string, line: string): void;
}

export interface WorkerLogOptions {
  /** Only problems (for benchmarks): no started / completed lines, and a job's own lines only from warn up. */
  quiet?: boolean;
  /** 'text' (readable lines, the default) or 'json' (one object per line); default LOG_FORMAT. */
  format?: LogFormat;
  /** Keys masked in a job's logged data; default JOBS_REDACT_KEYS. */
  redactKeys?: readonly string[];
}

const short = (id: string) => id.slice(0, 13);
const stamp = () => new Date().toISOString().slice(11, 23);

/**
 * The one subscriber that turns job events into a worker's log lines, one per
 * transition, and a job's own `this.logger` lines (also stored with its
 * attempt) too. Text lines start with the time of day; with LOG_FORMAT=json
 * each is one JSON object (core/log-line.ts) with the job's id, name, attempt
 * and run time where they apply.
 */
export function createWorkerLog(write: (line: string) => void = writeOut, options: WorkerLogOptions = {}): WorkerLog & { detach(): void } {
  const format = options.format ?? logFormatOf();
  const redactKeys = options.redactKeys ?? getConfig().redactKeys;
  const emit = (entry: LogEntry, textLine = `${stamp()} ${entry.message}`) => write(format === 'json' ? jsonLine('worker', entry) : textLine);
  const job = (e: { jobId: string; jobName: string; attempt?: number }) => ({ jobId: e.jobId, jobName: e.jobName, attempt: e.attempt });
  // Quiet does not listen for the two lines every job has at all: building them would be most of the per-job work.
  const everyJob = options.quiet ? [] : [
    jobEvents.on('job.started', (e) => emit({ level: 'info', event: 'job.started', ...job(e), message: `started   ${e.jobName} ${short(e.jobId)} attempt ${e.attempt}` })),
    jobEvents.on('job.completed', (e) => emit({
      level: 'info', event: 'job.completed', ...job(e), durationMs: e.durationMs, message: `completed ${e.jobName} ${short(e.jobId)} in ${formatDuration(e.durationMs)}`,
    })),
  ];
  const off = [
    ...everyJob,
    jobEvents.on('job.retrying', (e) => emit({
      level: 'warn', event: 'job.retrying', ...job(e), error: e.error, nextRunAt: new Date(e.nextRunAt).toISOString(),
      message: `retrying  ${e.jobName} ${short(e.jobId)} attempt ${e.attempt} failed: ${e.error}; next at ${new Date(e.nextRunAt).toISOString()}`,
    })),
    jobEvents.on('job.failed', (e) => emit({
      level: 'error', event: 'job.failed', ...job(e), error: e.error, timedOut: e.timedOut,
      message: `failed    ${e.jobName} ${short(e.jobId)} attempt ${e.attempt}${e.timedOut ? ' (timed out)' : ''}: ${e.error}`,
    })),
    jobEvents.on('job.cancelled', (e) => emit({ level: 'info', event: 'job.cancelled', ...job(e), message: `cancelled ${e.jobName} ${short(e.jobId)}` })),
    jobEvents.on('job.lease_lost', (e) => emit({
      level: 'warn', event: 'job.lease_lost', ...job(e), message: `lost      ${e.jobName} ${short(e.jobId)}: its lease expired and another worker may have it; result not written`,
    })),
    // Quiet (benchmarks) keeps only the warnings and errors a job logs: one line per job would be most of the work.
    jobEvents.on('job.log', (e) => (options.quiet && (e.line.level === 'debug' || e.line.level === 'info') ? undefined : emit(jobLogEntry(e, redactKeys)))),
  ];
  return {
    started: (w) => emit({ level: 'info', event: 'worker.started', workerId: w.id, message: `worker ${w.id} started${w.wakeUps ? ` (${w.wakeUps})` : ''}` }),
    stopped: (w) => emit({ level: 'info', event: 'worker.stopped', workerId: w.id, message: `worker ${w.id} stopped` }),
    reaped: (r) => emit({
      level: 'warn', event: 'job.reaped', jobId: r.id, lostBy: r.lostBy, state: r.state, message: `took back ${short(r.id)} from ${r.lostBy} (lease expired): now ${r.state}`,
    }),
    error: (what, error) => {
      const described = describeError(error);
      // A JobsError is a condition someone can act on (the database locked, a full disk): its message says it all.
      const stack = isJobsError(error) ? undefined : described.stack;
      emit(
        { level: 'error', event: 'worker.error', error: described.message, stack, message: `${what}: ${described.message}` },
        `${stamp()} error: ${what}: ${isJobsError(error) ? error.message : stack ?? described.message}`,
      );
    },
    note: (text) => emit({ level: 'info', event: 'worker.note', message: text }),
    // As it always read: without the time of day.
    signal: (signal, text) => emit({ level: 'info', event: 'worker.signal', signal, message: `${signal}: ${text}` }, `${signal}: ${text}`),
    detach: () => off.forEach((f) => f()),
  };
}
