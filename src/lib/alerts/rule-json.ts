import type { AlertRuleRow, AlertStateRow } from '../../db/schema';

/** A rule as `alerts list --json` and the admin page show it: the notify URL cut to its host, since a Slack URL's path is its secret. */
export interface AlertRuleJson {
  name: string;
  kind: string;
  watches: string;
  threshold: number | null;
  windowMs: number;
  minCount: number;
  notify: string;
  firing: { subject: string; since: string; message: string }[];
}

export function alertRuleJson(rule: AlertRuleRow, states: AlertStateRow[]): AlertRuleJson {
  return {
    name: rule.name, kind: rule.kind, watches: watches(rule), threshold: rule.threshold, windowMs: rule.windowMs, minCount: rule.minCount,
    notify: maskedNotify(rule.notify),
    firing: states.filter((s) => s.ruleName === rule.name && s.firing === 1).map((s) => ({ subject: s.subject, since: new Date(s.since).toISOString(), message: s.message })),
  };
}

function watches(rule: AlertRuleRow): string {
  if (rule.jobName) return `job ${rule.jobName}`;
  if (rule.queue) return `queue ${rule.queue}`;
  if (rule.scheduleName) return `schedule ${rule.scheduleName}`;
  return rule.kind === 'schedule-missed' ? 'every schedule' : rule.kind === 'job-failed' ? 'every job' : 'every queue';
}

/** `slack:https://hooks.slack.com/...`: the scheme and host only. */
export function maskedNotify(notify: string): string {
  const match = /^(slack|webhook):(https?:\/\/[^/?#]+)(.*)$/.exec(notify);
  return match ? `${match[1]}:${match[2]}${match[3] ? '/…' : ''}` : notify;
}
