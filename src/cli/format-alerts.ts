import chalk from 'chalk';
import Table from 'cli-table3';
import { formatDuration } from '../core/duration';
import type { AlertRuleJson } from '../lib/alerts/rule-json';
import { tableStyle } from './format';

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
