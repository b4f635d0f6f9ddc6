import chalk from 'chalk';
import Table from 'cli-table3';
import { formatDuration } from '../core/duration';
import type { NameStats, QueueStats, StateCounts, StatsJson } from '../lib/jobs/stats';
import { labelText, tableStyle } from './format';

/** `bin/jobs stats` for people, from the same StatsJson that --json prints (format.ts's part for stats, kept apart by size). */

const waitingWords = ['ready', 'scheduled', 'paused', 'blocked', 'throttled'] as const;
const dash = () => chalk.gray('-');

export function renderStats(stats: StatsJson): string {
  const where = stats.queue === null ? 'every queue' : `queue ${chalk.bold(stats.queue)}`;
  const heading = `${chalk.bold('Jobs')} in ${where} at ${stats.generatedAt.replace('T', ' ').slice(0, 19)} UTC`;
  return [heading, renderCounts(stats.counts), renderQueueStats(stats.queues), renderHistory(stats), renderNames(stats)].join('\n\n');
}

function renderCounts(counts: StateCounts): string {
  const states = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
  const table = new Table({ head: [...states.map(labelText), 'total'], style: tableStyle() });
  table.push([...states.map((s) => counts[s]), counts.total]);
  const why = waitingWords.filter((w) => counts.waiting[w] > 0).map((w) => `${counts.waiting[w]} ${labelText(w)}`);
  return `${table.toString()}\npending: ${why.length ? why.join(', ') : chalk.gray('none waiting')}`;
}

function renderQueueStats(queues: QueueStats[]): string {
  if (queues.length === 0) return chalk.gray('No queue holds a job, is paused or has a rate limit.');
  const table = new Table({ head: ['queue', ...waitingWords, 'running', 'oldest waiting', 'state', 'rate limit'], style: tableStyle() });
  for (const q of queues) {
    table.push([
      chalk.bold(q.queue), ...waitingWords.map((w) => q.counts.waiting[w]), q.counts.running,
      q.oldestReady ? formatDuration(q.oldestReady.ageMs) : dash(),
      q.paused ? chalk.yellow('paused') : chalk.green('active'), q.rateLimit ? q.rateLimit.rate : chalk.gray('none'),
    ]);
  }
  return table.toString();
}

function renderHistory(stats: StatsJson): string {
  const { totals, window } = stats;
  const last = totals.lastMinute;
  const lastEnded = last.completed + last.failed + last.cancelled;
  return [
    `${chalk.bold(`Last ${window.hours} h`)}: ${totals.completed} completed, ${totals.failed} failed, ${totals.cancelled} cancelled, ${totals.retried} attempts retried`,
    `throughput: ${totals.jobsPerMinute} jobs/min on average; ${lastEnded} in the last whole minute (${last.minute.slice(11, 16)} UTC)`,
    `failure rate: ${percent(totals.failureRate)} ${chalk.gray('(failed / (completed + failed))')}`,
  ].join('\n');
}

function renderNames(stats: StatsJson): string {
  if (stats.names.length === 0) return chalk.gray(`No job ended or was retried in the last ${stats.window.hours} h.`);
  const table = new Table({ head: ['job', 'completed', 'failed', 'cancelled', 'retried', 'failure rate', 'p50', 'p95', 'p99', 'mean'], style: tableStyle() });
  for (const n of stats.names) table.push([chalk.bold(n.name), n.completed, n.failed, n.cancelled, n.retried, percent(n.failureRate), ...runTimes(n)]);
  return `${table.toString()}\n${chalk.gray('run times: p50/p95/p99 are estimates from histogram buckets, the mean is exact')}`;
}

function runTimes(n: NameStats): string[] {
  const r = n.runTimeMs;
  return r ? [r.p50, r.p95, r.p99, r.mean].map(formatDuration) : [dash(), dash(), dash(), dash()];
}

/** @example percent(0.25) // '25.0%' */
function percent(rate: number | null): string {
  if (rate === null) return dash();
  const text = `${(rate * 100).toFixed(1)}%`;
  return rate > 0 ? chalk.red(text) : text;
}
