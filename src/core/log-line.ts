/**
 * One log line as every process writes it with LOG_FORMAT=json: a JSON object
 * on one line, its fields in a fixed order (time, level, process, event, the
 * job's fields, error, message, then the rest), so a log shipper or `jq` reads
 * it without guessing. Pure: the processes' loggers decide where it goes.
 */

export const logFormats = ['text', 'json'] as const;
export type LogFormat = (typeof logFormats)[number];
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What a line says about a job, where it is about one; undefined fields are left out of the line. */
export interface JobLogFields {
  jobId?: string;
  jobName?: string;
  attempt?: number;
  durationMs?: number;
  /** The error's message (its stack, where one helps, in `stack`). */
  error?: string;
}

export interface LogEntry extends JobLogFields {
  level: LogLevel;
  /** What happened, as a stable dotted name: job.completed, worker.started, cron.fired, output. */
  event: string;
  /** The readable line LOG_FORMAT=text prints (without its time). */
  message: string;
  [field: string]: unknown;
}

/**
 * The JSON line of `entry`, written by `processName` at `time` (epoch ms).
 * @example jsonLogLine('worker', { level: 'info', event: 'job.completed', jobId: '019a…', message: 'completed demo' }, 0)
 * // '{"time":"1970-01-01T00:00:00.000Z","level":"info","process":"worker","event":"job.completed","jobId":"019a…","message":"completed demo"}'
 */
export function jsonLogLine(processName: string, entry: LogEntry, time: number): string {
  const { level, event, jobId, jobName, attempt, durationMs, error, message, ...rest } = entry;
  return JSON.stringify({ time: new Date(time).toISOString(), level, process: processName, event, jobId, jobName, attempt, durationMs, error, message, ...rest });
}

/**
 * Whether `line` is already one JSON object (a child process writing
 * LOG_FORMAT=json): the supervisor passes such a line on as it is.
 * @example isJsonObjectLine('{"level":"info"}') // true
 * @example isJsonObjectLine('12:00:00.000 started demo') // false
 */
export function isJsonObjectLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
