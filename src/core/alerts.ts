import { formatDuration } from './duration';
import { JobsError } from './errors';

/**
 * Alert rules, judged without I/O: what each kind looks at (an Observation,
 * read by lib/alerts/observe.ts), which subjects are bad now (judgeRule), and
 * which of those changed against the stored states (alertChanges), so each
 * alert is notified once when it starts and once when it clears.
 */

export const alertKinds = ['failure-rate', 'queue-age', 'no-worker', 'schedule-missed', 'job-failed'] as const;
export type AlertKind = (typeof alertKinds)[number];

export interface AlertRule {
  name: string;
  kind: AlertKind;
  jobName: string | null;
  queue: string | null;
  scheduleName: string | null;
  /** failure-rate: percent; queue-age: ms. */
  threshold: number | null;
  windowMs: number;
  minCount: number;
  notify: string;
}

/** What a rule's kind reads from the database, at `now`. */
export type Observation =
  | { kind: 'failure-rate'; completed: number; failed: number }
  | { kind: 'queue-age'; queues: { queue: string; oldestReadyAt: number | null }[] }
  | { kind: 'no-worker'; queues: { queue: string; ready: number; serving: number }[] }
  | { kind: 'schedule-missed'; schedules: { name: string; lastMissedAt: number | null; runsMissed: number }[] }
  | { kind: 'job-failed'; names: { name: string; failed: number }[] };

/** One subject of a rule (a queue, a job name, a schedule; '' for the rule as a whole), bad or not, and why. */
export interface Finding {
  subject: string;
  bad: boolean;
  message: string;
}

/** Pure. The subjects a rule's observation shows, each judged bad or fine. */
export function judgeRule(rule: AlertRule, seen: Observation, now: number): Finding[] {
  const window = formatDuration(rule.windowMs);
  switch (seen.kind) {
    case 'failure-rate': {
      const ended = seen.completed + seen.failed;
      const rate = ended === 0 ? 0 : (seen.failed * 100) / ended;
      const what = rule.jobName ? `job ${rule.jobName}` : `queue ${rule.queue}`;
      return [{
        subject: '',
        bad: ended >= rule.minCount && rate > (rule.threshold ?? 0),
        message: `${what}: ${rate.toFixed(1)}% failed (${seen.failed} of ${ended}) over the last ${window}, threshold ${rule.threshold}%`,
      }];
    }
    case 'queue-age':
      return seen.queues.map(({ queue, oldestReadyAt }) => {
        const age = oldestReadyAt === null ? 0 : Math.max(0, now - oldestReadyAt);
        return {
          subject: queue,
          bad: oldestReadyAt !== null && age > (rule.threshold ?? 0),
          message: oldestReadyAt === null
            ? `queue ${queue}: no job waiting`
            : `queue ${queue}: the oldest ready job has waited ${formatDuration(age)}, threshold ${formatDuration(rule.threshold ?? 0)}`,
        };
      });
    case 'no-worker':
      return seen.queues.map(({ queue, ready, serving }) => ({
        subject: queue,
        bad: ready > 0 && serving === 0,
        message: `queue ${queue}: ${ready} job(s) ready, ${serving} live worker(s) serving it`,
      }));
    case 'schedule-missed':
      return seen.schedules.map(({ name, lastMissedAt, runsMissed }) => ({
        subject: name,
        bad: lastMissedAt !== null && lastMissedAt > now - rule.windowMs,
        message: lastMissedAt !== null && lastMissedAt > now - rule.windowMs
          ? `schedule ${name}: missed a run at ${new Date(lastMissedAt).toISOString()} (${runsMissed} missed in all)`
          : `schedule ${name}: no missed run in the last ${window}`,
      }));
    case 'job-failed':
      return seen.names.map(({ name, failed }) => ({
        subject: name,
        bad: failed > 0,
        message: failed > 0 ? `job ${name}: ${failed} job(s) failed all their attempts in the last ${window}` : `job ${name}: no job failed in the last ${window}`,
      }));
  }
}

/** A subject's stored state. */
export interface SubjectState {
  subject: string;
  firing: boolean;
}

/** A change to notify, and the firing flag the compare-and-set expects to find. */
export interface AlertChange {
  subject: string;
  firing: boolean;
  message: string;
}

/**
 * Pure. The subjects whose state must change: a bad one not firing starts,
 * a firing one no longer bad (or no longer seen at all) clears.
 * @example alertChanges([{ subject: 'q', bad: true, message: 'm' }], []) // [{ subject: 'q', firing: true, message: 'm' }]
 */
export function alertChanges(findings: Finding[], states: SubjectState[], goneText: (subject: string) => string = (subject) => `${subject || 'rule'}: no longer seen`): AlertChange[] {
  const firing = new Set(states.filter((s) => s.firing).map((s) => s.subject));
  const changes: AlertChange[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    seen.add(f.subject);
    if (f.bad !== firing.has(f.subject)) changes.push({ subject: f.subject, firing: f.bad, message: f.message });
  }
  for (const subject of firing) if (!seen.has(subject)) changes.push({ subject, firing: false, message: goneText(subject) });
  return changes;
}

/**
 * Pure. Why a firing subject the rule's observation no longer lists is fine
 * now: a queue that has no ready job, a job name with no failure left in the window, a schedule removed.
 * @example goneText({ kind: 'no-worker', windowMs: 900000 }, 'mail') // 'queue mail: no job ready now'
 */
export function goneText(rule: Pick<AlertRule, 'kind' | 'windowMs'>, subject: string): string {
  switch (rule.kind) {
    case 'queue-age':
    case 'no-worker':
      return `queue ${subject}: no job ready now`;
    case 'job-failed':
      return `job ${subject}: no job failed in the last ${formatDuration(rule.windowMs)}`;
    case 'schedule-missed':
      return `schedule ${subject}: removed`;
    case 'failure-rate':
      return 'no longer seen';
  }
}

/** The text of a notification. */
export function alertText(rule: Pick<AlertRule, 'name' | 'kind'>, change: Pick<AlertChange, 'firing' | 'message'>, test = false): string {
  const tag = test ? 'TEST' : change.firing ? 'FIRING' : 'RESOLVED';
  return `[${tag}] alert ${rule.name} (${rule.kind}): ${change.message}`;
}

export type NotifyTarget = { via: 'slack' | 'webhook'; url: string } | { via: 'email'; address: string };

/**
 * Pure. Where a rule's notifications go, from `slack:URL`, `webhook:URL` or `email:ADDRESS`.
 * @example parseNotify('slack:https://hooks.slack.com/services/T/B/x') // { via: 'slack', url: 'https://hooks.slack.com/services/T/B/x' }
 */
export function parseNotify(text: string): NotifyTarget {
  const at = text.indexOf(':');
  const via = at > 0 ? text.slice(0, at) : '';
  const rest = text.slice(at + 1);
  if (via === 'slack' || via === 'webhook') {
    if (!/^https?:\/\/[^\s]+$/.test(rest)) throw new JobsError('usage', `--notify ${via}: needs an http:// or https:// URL, as ${via}:https://...`);
    return { via, url: rest };
  }
  if (via === 'email') {
    if (!/^[^\s@]+@[^\s@]+$/.test(rest)) throw new JobsError('usage', `--notify email: needs an address, as email:ops@example.com`);
    return { via, address: rest };
  }
  throw new JobsError('usage', `--notify must be slack:URL, webhook:URL or email:ADDRESS, got "${text}"`);
}
