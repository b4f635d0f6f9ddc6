import { defaults } from '../config/defaults';
import { alertKinds, parseNotify, type AlertKind, type AlertRule } from './alerts';
import { formatDuration, parseDuration } from './duration';
import { JobsError } from './errors';

/** A rule as typed on the command line (`bin/jobs alerts add`), every value a string. */
export interface AlertRuleInput {
  name?: string;
  kind?: string;
  job?: string;
  queue?: string;
  schedule?: string;
  threshold?: string;
  window?: string;
  minCount?: string;
  notify?: string;
}

const usage = (message: string) => new JobsError('usage', message);

/**
 * Pure. A checked rule from the command line's values, or a usage error
 * saying what is missing or wrong. Window default 15m, min count default 10.
 * @example parseAlertRule({ name: 'mail-failing', kind: 'failure-rate', job: 'send-email', threshold: '20%', notify: 'email:ops@example.com' }).threshold // 20
 */
export function parseAlertRule(input: AlertRuleInput): AlertRule {
  if (!input.name || !/^[\w.-]{1,100}$/.test(input.name)) throw usage('--name is required: letters, digits, _ . - (at most 100)');
  if (!input.kind || !(alertKinds as readonly string[]).includes(input.kind)) throw usage(`--kind must be one of ${alertKinds.join(', ')}`);
  const kind = input.kind as AlertKind;
  if (!input.notify) throw usage('--notify is required: slack:URL, webhook:URL or email:ADDRESS');
  parseNotify(input.notify);
  if (input.job !== undefined && input.queue !== undefined) throw usage('give --job or --queue, not both');
  if (kind === 'schedule-missed' ? input.job !== undefined || input.queue !== undefined : input.schedule !== undefined) {
    throw usage(kind === 'schedule-missed' ? 'a schedule-missed rule watches --schedule S (or every schedule), not --job or --queue' : '--schedule is only for a schedule-missed rule');
  }
  if ((kind === 'queue-age' || kind === 'no-worker') && input.job !== undefined) throw usage(`a ${kind} rule watches --queue Q (or every queue), not --job`);
  if (kind === 'failure-rate' && input.job === undefined && input.queue === undefined) throw usage('a failure-rate rule needs --job J or --queue Q');
  const windowMs = input.window === undefined ? defaults.alertWindowMs : asUsage(() => parseDuration(input.window!));
  if (windowMs < 60_000) throw usage('--window must be at least 1m (the failure counts are kept per minute)');
  if (windowMs > defaults.statsMinutesKeptMs) throw usage(`--window must be at most ${formatDuration(defaults.statsMinutesKeptMs)} (the failure counts per minute are kept that long)`);
  const minCount = input.minCount === undefined ? defaults.alertMinCount : Number(input.minCount);
  if (!Number.isInteger(minCount) || minCount < 1) throw usage(`--min-count must be a whole number >= 1, got "${input.minCount}"`);
  return {
    name: input.name, kind, jobName: input.job ?? null, queue: input.queue ?? null, scheduleName: input.schedule ?? null,
    threshold: threshold(kind, input.threshold), windowMs, minCount, notify: input.notify,
  };
}

function threshold(kind: AlertKind, text: string | undefined): number | null {
  if (kind === 'failure-rate') {
    const percent = Number((text ?? '').replace(/%$/, ''));
    if (text === undefined || text === '' || !Number.isFinite(percent) || percent < 0 || percent >= 100) throw usage('a failure-rate rule needs --threshold P, a percent from 0 to 99 (e.g. 20%)');
    return percent;
  }
  if (kind === 'queue-age') {
    if (text === undefined) throw usage('a queue-age rule needs --threshold T, a duration (e.g. 10m)');
    return asUsage(() => parseDuration(text));
  }
  if (text !== undefined) throw usage(`a ${kind} rule takes no --threshold`);
  return null;
}

function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw usage((error as Error).message);
  }
}
