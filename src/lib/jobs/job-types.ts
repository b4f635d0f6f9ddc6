import type { Config } from '../../config/env';
import { formatDuration, parseDuration } from '../../core/duration';
import { parsePriority } from '../../core/priority';
import type { Backoff } from '../../core/backoff';
import type { JobRegistry } from './registry';
import { describeParams, type ParamsDescription } from './param-description';
import { declaredSchedule } from './schedule-spec';
import type { CodeSchedule } from './types';

/** A registered job type with every default a new job of it gets: what `bin/jobs types` and the admin Enqueue page show. */
export interface JobTypeInfo {
  name: string;
  className: string;
  /** The class's one-sentence `static description`, or null. */
  description: string | null;
  queue: string;
  priority: number;
  maxAttempts: number;
  timeoutMs: number;
  /** The wait between attempts, in words: `fixed 100ms`, `exponential from 1.00s`. */
  backoff: string;
  /** `cron (timezone)` of the schedule declared on the class under this configuration, or null. */
  schedule: string | null;
  params: ParamsDescription;
}

/** Every registered job type, by name, with its class's options or else the environment's defaults. */
export function describeJobTypes(registry: JobRegistry, config: Config): JobTypeInfo[] {
  return registry.list().map(({ name, jobClass }) => ({
    name,
    className: jobClass.name,
    description: jobClass.description ?? null,
    queue: jobClass.options?.queue ?? 'default',
    priority: parsePriority(jobClass.options?.priority, 0),
    maxAttempts: jobClass.options?.maxAttempts ?? config.maxAttempts,
    timeoutMs: parseDuration(jobClass.options?.timeout ?? config.timeoutMs),
    backoff: backoffText(jobClass.options?.backoff ?? { type: 'exponential', delay: config.retryDelayMs }),
    schedule: scheduleText(declaredSchedule(jobClass, config)),
    params: describeParams(jobClass.params),
  }));
}

function scheduleText(schedule: CodeSchedule | undefined): string | null {
  return schedule ? `${schedule.cron} (${schedule.tz ?? 'UTC'})` : null;
}

/** @example backoffText({ type: 'fixed', delay: 100 }) // 'fixed 100ms' */
export function backoffText(backoff: Backoff): string {
  if (typeof backoff === 'function') return 'custom (a function of the attempt)';
  if (backoff.type === 'fixed') return `fixed ${formatDuration(backoff.delay)}`;
  return `exponential from ${formatDuration(backoff.delay)}${backoff.maxDelay === undefined ? '' : `, at most ${formatDuration(backoff.maxDelay)}`}`;
}
