import chalk from 'chalk';
import Table from 'cli-table3';
import { formatDuration } from '../core/duration';
import type { AlertRuleRow, AlertStateRow } from '../db/schema';
import { tableStyle } from './format';

/** A rule as `alerts list --json` prints it: the notify URL cut to its host, since a Slack URL's path is its secret. */
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

export function renderAlertRules(rules: AlertRuleJson[]): string {
  if (rules.length === 0) return chalk.gray('No alert rules. Add one with bin/jobs alerts add --name N --kind K --notify slack:URL');
  const table = new Table({ head: ['name', 'kind', 'watches', 'threshold', 'window', 'notify', 'state'], style: tableStyle() });
  for (const r of rules) {
    const threshold = r.threshold === null ? '' : r.kind === 'failure-rate' ? `${r.threshold}% (min ${r.minCount})` : formatDuration(r.threshold);
    const state = r.firing.length === 0 ? chalk.green('ok') : chalk.red(`firing: ${r.firing.map((f) => f.subject || r.watches).join(', ')}`);
    table.push([chalk.bold(r.name), r.kind, r.watches, threshold, formatDuration(r.windowMs), r.notify, state]);
  }
  return table.toString();
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
