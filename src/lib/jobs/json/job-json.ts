import type { AttemptRow, JobRow, ProgressRow } from '../../../db/schema';
import type { JobDetail } from '../../../store/queries';
import type { LogLine } from '../../../core/outcome';
import { displayState, type JobState } from '../../../core/states';
import { redact } from './redact';

/**
 * The one public shape of a job (PRODUCT.md "The job as JSON"), for the CLI's
 * --json, the HTTP API, SSE and webhooks. Pure: the caller passes the clock
 * and the keys to mask, so one row always gives the same JSON.
 */

/** `state`, refined for a pending job into why it waits. */
export type JobLabel = JobState | 'scheduled' | 'retrying' | 'blocked' | 'paused' | 'throttled';

export interface JobErrorJson {
  message: string;
  /** The error's class name when an attempt recorded it (the detail view), else 'Error'. */
  name: string;
}

export interface JobJson {
  id: string;
  name: string;
  /** A person's title and description for this one job (`.later()`'s options, the NestJS body's name and description), or null. */
  title: string | null;
  description: string | null;
  queue: string;
  state: JobState;
  label: JobLabel;
  priority: number;
  params: unknown;
  result: unknown;
  error: JobErrorJson | null;
  progress: { percent: number; message: string | null };
  attempts: number;
  maxAttempts: number;
  runAt: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  lease: { worker: string; until: string } | null;
  idempotencyKey: string | null;
  concurrencyKey: string | null;
  /** The cron schedule that enqueued it. */
  schedule: string | null;
  /** Ids of the jobs it waits for (or waited for). */
  dependsOn: string[];
  cancelRequested: boolean;
}

export interface LogLineJson {
  at: string;
  level: LogLine['level'];
  message: string;
  data?: unknown;
}

export interface AttemptJson {
  attempt: number;
  worker: string | null;
  startedAt: string;
  finishedAt: string;
  /** completed, failed, timed_out, cancelled, interrupted or lost. */
  outcome: string;
  error: JobErrorJson | null;
  stack: string | null;
  logs: LogLineJson[];
}

export interface ProgressJson {
  attempt: number;
  percent: number;
  message: string | null;
  at: string;
}

export interface JobDetailJson extends JobJson {
  attemptHistory: AttemptJson[];
  progressHistory: ProgressJson[];
}

export interface JobJsonOptions {
  /** Epoch ms the label is judged at (a pending job due later is `scheduled`). */
  now: number;
  /** Keys masked at any depth of params, result and log data (Config.redactKeys). */
  redactKeys: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms == null ? null : iso(ms));

/**
 * A stored job as its public JSON. `dependsOn` comes from the store
 * (dependsOnOf reads it for a whole page in one query).
 * @example jobJson(row, [], { now: Date.now(), redactKeys: ['apikey'] }).params // { to: 'a@b.c', apiKey: '[redacted]' }
 * @example jobJson({ ...row, state: 'pending', scheduled: 3 }, [parentId], options).label // 'blocked'
 */
export function jobJson(row: JobRow, dependsOn: readonly string[], options: JobJsonOptions): JobJson {
  return shape(row, dependsOn, options, 'Error');
}

/**
 * A job with its attempts and progress history as its public JSON: the
 * error's name is read from the last attempt's stack when that attempt
 * recorded the job's error.
 * @example jobDetailJson(await getJobDetail(engine, id), options).attemptHistory[0].outcome // 'failed'
 */
export function jobDetailJson(detail: JobDetail, options: JobJsonOptions): JobDetailJson {
  const last = detail.attemptHistory.at(-1);
  const name = last && last.error === detail.error ? errorName(last.errorStack) : 'Error';
  return {
    ...shape(detail, detail.dependsOn, options, name),
    attemptHistory: detail.attemptHistory.map((a) => attemptJson(a, options.redactKeys)),
    progressHistory: detail.progressHistory.map(progressJson),
  };
}

function shape(row: JobRow, dependsOn: readonly string[], options: JobJsonOptions, errorNameOf: string): JobJson {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    description: row.description,
    queue: row.queue,
    state: row.state,
    label: displayState(row, options.now) as JobLabel,
    priority: row.priority,
    params: redact(JSON.parse(row.params), options.redactKeys),
    result: row.result == null ? null : redact(JSON.parse(row.result), options.redactKeys),
    error: row.error == null ? null : { message: row.error, name: errorNameOf },
    progress: { percent: row.progress, message: row.progressMessage },
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    runAt: iso(row.runAt),
    createdAt: iso(row.createdAt),
    startedAt: isoOrNull(row.startedAt),
    completedAt: isoOrNull(row.completedAt),
    lease: row.lockedBy == null || row.lockedUntil == null ? null : { worker: row.lockedBy, until: iso(row.lockedUntil) },
    idempotencyKey: row.idempotencyKey,
    concurrencyKey: row.concurrencyKey,
    schedule: row.scheduleName,
    dependsOn: [...dependsOn],
    cancelRequested: row.cancelRequested === 1,
  };
}

function attemptJson(a: AttemptRow, redactKeys: readonly string[]): AttemptJson {
  const logs = a.logs == null ? [] : (JSON.parse(a.logs) as LogLine[]);
  return {
    attempt: a.attempt,
    worker: a.workerId,
    startedAt: iso(a.startedAt),
    finishedAt: iso(a.finishedAt),
    outcome: a.outcome,
    error: a.error == null ? null : { message: a.error, name: errorName(a.errorStack) },
    stack: a.errorStack,
    logs: logs.map((l) => ({
      at: iso(l.at), level: l.level, message: l.message, ...(l.data === undefined ? {} : { data: redact(l.data, redactKeys) }),
    })),
  };
}

function progressJson(p: ProgressRow): ProgressJson {
  return { attempt: p.attempt, percent: p.percent, message: p.message, at: iso(p.at) };
}

/**
 * An error's class name from the first line of its stack (`NonRetryableError: ...`);
 * 'Error' when there is no stack or it does not start with a name.
 * @example errorName('TypeError: x is undefined\n    at f (a.ts:1:1)') // 'TypeError'
 */
export function errorName(stack: string | null): string {
  return (stack && /^([A-Za-z_$][\w$.]*)(?::|\n|$)/.exec(stack)?.[1]) || 'Error';
}
