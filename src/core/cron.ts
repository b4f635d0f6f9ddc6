import { Cron } from 'croner';
import { JobsError } from './errors';

export type MisfirePolicy = 'skip' | 'run-once';
export const misfirePolicies: readonly MisfirePolicy[] = ['skip', 'run-once'];

/**
 * Checks a cron expression (five fields, or six with seconds first, as croner
 * reads them) and an IANA timezone; throws a bad_request error naming the problem.
 */
export function checkSchedule(expression: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new JobsError('bad_request', `Unknown timezone "${timezone}": use an IANA name such as UTC or Europe/Paris`);
  }
  const fields = expression.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    throw new JobsError('bad_request', `Invalid cron expression "${expression}": it needs 5 fields (minute hour day month weekday) or 6 (seconds first)`);
  }
  try {
    new Cron(expression, { timezone, paused: true });
  } catch (error) {
    throw new JobsError('bad_request', `Invalid cron expression "${expression}": ${(error as Error).message.replace(/^CronPattern: /, '')}`);
  }
}

/**
 * The first fire time strictly after `afterMs`, in the schedule's timezone, or
 * null if it never fires again. On a day when clocks spring forward, a time
 * that does not exist fires at the first valid time after it; when they fall
 * back, a time that happens twice fires once.
 * @example nextFireAfter('0 2 * * *', 'UTC', Date.UTC(2026, 0, 1, 3)) // Date.UTC(2026, 0, 2, 2)
 */
export function nextFireAfter(expression: string, timezone: string, afterMs: number): number | null {
  const next = new Cron(expression, { timezone, paused: true }).nextRun(new Date(afterMs));
  return next ? next.getTime() : null;
}

export interface FirePlan {
  /** Fire times to run now, oldest first. */
  fires: number[];
  /** Fires past the grace period that the policy does not run. */
  missed: number;
  /** The schedule's next fire time once the plan is carried out. */
  next: number | null;
}

/** Missed fires counted one by one at most; a per-second schedule down for a day is "more than this". */
const countLimit = 10_000;

/**
 * What a poller does with a schedule due at `nextRunAt` when it looks at
 * `now`. Fires no older than `graceMs` are on time and all run. Older ones
 * were missed while nothing ran: `skip` drops them, `run-once` runs one job
 * for all of them (at the latest missed time).
 * @example planFires('* * * * *', 'UTC', 0, 59_000, 'skip', 60_000) // { fires: [0], missed: 0, next: 60000 }
 */
export function planFires(expression: string, timezone: string, nextRunAt: number, now: number, policy: MisfirePolicy, graceMs: number): FirePlan {
  const cron = new Cron(expression, { timezone, paused: true });
  const after = (ms: number) => cron.nextRun(new Date(ms))?.getTime() ?? null;
  const onTimeFrom = now - graceMs;
  let missed = 0;
  let lastMissed: number | null = null;
  let t: number | null = nextRunAt;
  while (t !== null && t < onTimeFrom && missed < countLimit) {
    missed += 1;
    lastMissed = t;
    t = after(t);
  }
  if (t !== null && t < onTimeFrom) t = after(onTimeFrom - 1); // too many to count: jump ahead
  const fires: number[] = [];
  if (policy === 'run-once' && lastMissed !== null) fires.push(lastMissed);
  while (t !== null && t <= now) {
    fires.push(t);
    t = after(t);
  }
  // run-once turns all the missed fires into one run: the rest are still missed.
  return { fires, missed: policy === 'run-once' ? Math.max(0, missed - 1) : missed, next: t };
}
