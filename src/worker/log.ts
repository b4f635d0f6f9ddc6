import { describeError, isJobsError } from '../core/errors';
import { formatDuration } from '../core/duration';
import { jobEvents } from '../lib/jobs/events';
import type { ReapedJob } from '../store/lease';

export interface WorkerLog {
  started(worker: { id: string }): void;
  stopped(worker: { id: string }): void;
  reaped(job: ReapedJob): void;
  error(what: string, error: unknown): void;
  /** A line about the worker itself that is not an error. */
  note(line: string): void;
}

const short = (id: string) => id.slice(0, 13);
const stamp = () => new Date().toISOString().slice(11, 23);

/**
 * The one subscriber that turns job events into a worker's log lines, one per
 * transition. `quiet` logs only problems (for benchmarks).
 */
export function createWorkerLog(write: (line: string) => void = (l) => console.log(l), options: { quiet?: boolean } = {}): WorkerLog & { detach(): void } {
  const line = (text: string) => write(`${stamp()} ${text}`);
  const info = options.quiet ? () => {} : line;
  const off = [
    jobEvents.on('job.started', (e) => info(`started   ${e.jobName} ${short(e.jobId)} attempt ${e.attempt}`)),
    jobEvents.on('job.completed', (e) => info(`completed ${e.jobName} ${short(e.jobId)} in ${formatDuration(e.durationMs)}`)),
    jobEvents.on('job.retrying', (e) => line(`retrying  ${e.jobName} ${short(e.jobId)} attempt ${e.attempt} failed: ${e.error}; next at ${new Date(e.nextRunAt).toISOString()}`)),
    jobEvents.on('job.failed', (e) => line(`failed    ${e.jobName} ${short(e.jobId)} attempt ${e.attempt}${e.timedOut ? ' (timed out)' : ''}: ${e.error}`)),
    jobEvents.on('job.cancelled', (e) => line(`cancelled ${e.jobName} ${short(e.jobId)}`)),
    jobEvents.on('job.lease_lost', (e) => line(`lost      ${e.jobName} ${short(e.jobId)}: its lease expired and another worker may have it; result not written`)),
  ];
  return {
    started: (w) => line(`worker ${w.id} started`),
    stopped: (w) => line(`worker ${w.id} stopped`),
    reaped: (job) => line(`took back ${short(job.id)} from ${job.lostBy} (lease expired): now ${job.state}`),
    error: (what, error) => line(`error: ${what}: ${isJobsError(error) ? error.message : describeError(error).stack ?? describeError(error).message}`),
    note: (text) => line(text),
    detach: () => off.forEach((f) => f()),
  };
}
