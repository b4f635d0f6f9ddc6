import chalk from 'chalk';
import Table from 'cli-table3';
import type { CronJobRow, JobRow } from '../db/schema';
import type { JobDetail } from '../store/queries';
import { displayState, type JobState } from '../core/states';
import { formatDuration } from '../core/duration';
import { priorityLabel } from '../core/priority';
import { formatRateLimit } from '../core/rate';
import type { QueueSummary } from '../store/queues';

/** The CLI's only renderer: commands hand it data, it returns text for people. */

/** cli-table3 colours its borders on its own; follow chalk, so pipes and NO_COLOR get plain text. */
function tableStyle(boldHead = true): { head: string[]; border: string[] } {
  const colour = chalk.level > 0;
  return { head: colour && boldHead ? ['bold'] : [], border: colour ? ['grey'] : [] };
}

const stateColour: Record<string, (s: string) => string> = {
  pending: chalk.yellow,
  scheduled: chalk.cyan,
  retrying: chalk.magenta,
  paused: chalk.gray,
  blocked: chalk.gray,
  throttled: chalk.gray,
  running: chalk.blue,
  completed: chalk.green,
  failed: chalk.red,
  cancelled: chalk.gray,
};

export function stateLabel(job: { state: JobState; attempts: number; runAt: number; scheduled?: number }): string {
  const label = displayState(job, Date.now());
  return (stateColour[label] ?? ((s: string) => s))(label);
}

const time = (ms: number | null) => (ms == null ? chalk.gray('-') : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

export function renderJobTable(jobs: JobRow[]): string {
  if (jobs.length === 0) return chalk.gray('No jobs match.');
  const table = new Table({ head: ['id', 'name', 'queue', 'state', 'priority', 'attempts', 'progress', 'created'], style: tableStyle() });
  for (const job of jobs) {
    table.push([job.id, job.name, job.queue, stateLabel(job), priorityLabel(job.priority), `${job.attempts}/${job.maxAttempts}`, `${job.progress}%`, time(job.createdAt)]);
  }
  return table.toString();
}

export function renderTypes(rows: { name: string; className: string; queue: string; priority: number; maxAttempts: number; timeoutMs: number; schedule: string | null }[]): string {
  const table = new Table({ head: ['name', 'class', 'queue', 'priority', 'max attempts', 'timeout', 'schedule'], style: tableStyle() });
  for (const r of rows) table.push([chalk.bold(r.name), r.className, r.queue, priorityLabel(r.priority), r.maxAttempts, formatDuration(r.timeoutMs), r.schedule ?? chalk.gray('-')]);
  return table.toString();
}

const json = (text: string | null) => (text == null ? chalk.gray('-') : JSON.stringify(JSON.parse(text), null, 2));

export function renderJobDetail(job: JobDetail): string {
  const facts = new Table({ style: tableStyle(false) });
  const lock = job.lockedBy ? `${job.lockedBy} until ${time(job.lockedUntil)}` : chalk.gray('-');
  facts.push(
    { id: job.id }, { name: job.name }, { queue: job.queue }, { state: stateLabel(job) },
    { priority: priorityLabel(job.priority) }, { attempts: `${job.attempts} of ${job.maxAttempts}` },
    { progress: `${progressBar(job.progress)} ${job.progressMessage ?? ''}` },
    { created: time(job.createdAt) }, { 'run at': time(job.runAt) }, { started: time(job.startedAt) },
    { finished: time(job.completedAt) }, { timeout: formatDuration(job.timeoutMs) }, { lock },
  );
  if (job.idempotencyKey) facts.push({ 'idempotency key': job.idempotencyKey });
  if (job.concurrencyKey) facts.push({ 'concurrency key': `${job.concurrencyKey} (limit ${job.concurrencyLimit})` });
  const parts = [facts.toString(), `${chalk.bold('params')}\n${json(job.params)}`];
  if (job.result != null) parts.push(`${chalk.bold('result')}\n${json(job.result)}`);
  if (job.error) parts.push(`${chalk.bold('error')}\n${chalk.red(job.error)}`);
  if (job.attemptHistory.length) {
    const attempts = new Table({ head: ['#', 'outcome', 'worker', 'started', 'took', 'error'], style: tableStyle(), wordWrap: true, colWidths: [null, null, null, null, null, 50] as number[] });
    for (const a of job.attemptHistory) {
      attempts.push([a.attempt, (stateColour[a.outcome] ?? chalk.red)(a.outcome), a.workerId ?? '-', time(a.startedAt), formatDuration(a.finishedAt - a.startedAt), a.error ?? '']);
    }
    parts.push(`${chalk.bold('attempts')}\n${attempts.toString()}`);
    const logs = job.attemptHistory.flatMap((a) => (a.logs ? (JSON.parse(a.logs) as { at: number; level: string; message: string; data?: unknown }[]).map((l) => ({ ...l, attempt: a.attempt })) : []));
    if (logs.length) {
      parts.push(`${chalk.bold('logs')}\n${logs.map((l) => `  #${l.attempt} ${time(l.at)} ${l.level.padEnd(5)} ${l.message}${l.data === undefined ? '' : ` ${JSON.stringify(l.data)}`}`).join('\n')}`);
    }
  }
  if (job.progressHistory.length) {
    parts.push(`${chalk.bold('progress')}\n${job.progressHistory.map((p) => `  #${p.attempt} ${time(p.at)} ${String(p.percent).padStart(3)}% ${p.message ?? ''}`).join('\n')}`);
  }
  return parts.join('\n\n');
}

/** @example progressBar(50, 10) // '█████░░░░░  50%' */
export function progressBar(percent: number, width = 24): string {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return `${chalk.green('█'.repeat(filled))}${chalk.gray('░'.repeat(width - filled))} ${String(Math.round(percent)).padStart(3)}%`;
}

export function renderError(message: string): string {
  return `${chalk.red('error:')} ${message}`;
}

export function warning(message: string): string {
  return `${chalk.yellow('warning:')} ${message}`;
}

export function success(text: string): string {
  return chalk.green(text);
}

export function renderSchedules(rows: CronJobRow[]): string {
  if (rows.length === 0) return chalk.gray('No schedules.');
  const table = new Table({ head: ['name', 'job', 'cron', 'timezone', 'enabled', 'next run', 'last run', 'runs (ok/failed/missed)'], style: tableStyle() });
  for (const s of rows) {
    table.push([chalk.bold(s.name), s.jobName, s.cron, s.timezone, s.enabled ? chalk.green('yes') : chalk.gray('no'), s.enabled ? time(s.nextRunAt) : chalk.gray('-'), time(s.lastRunAt), `${s.runsTotal} (${s.runsCompleted}/${s.runsFailed}/${s.runsMissed})`]);
  }
  return table.toString();
}

export function renderSchedule(s: CronJobRow, recent: JobRow[]): string {
  const facts = new Table({ style: tableStyle(false) });
  facts.push(
    { name: s.name }, { job: s.jobName }, { cron: s.cron }, { timezone: s.timezone }, { description: s.description ?? '-' },
    { enabled: s.enabled ? 'yes' : 'no' }, { 'misfire policy': s.misfire }, { source: s.source },
    { 'next run': time(s.nextRunAt) }, { 'last run': time(s.lastRunAt) },
    { runs: `${s.runsTotal} total, ${s.runsCompleted} completed, ${s.runsFailed} failed, ${s.runsMissed} missed` },
  );
  return [facts.toString(), `${chalk.bold('params')}\n${json(s.params)}`, `${chalk.bold('recent jobs')}\n${renderJobTable(recent)}`].join('\n\n');
}

export function renderQueues(rows: QueueSummary[]): string {
  if (rows.length === 0) return chalk.gray('No queue has live jobs, is paused or has a rate limit.');
  const table = new Table({ head: ['queue', 'state', 'pending', 'running', 'rate limit'], style: tableStyle() });
  for (const q of rows) {
    table.push([
      chalk.bold(q.queue), q.paused ? chalk.yellow('paused') : chalk.green('active'), q.pending, q.running,
      q.rateLimit ? formatRateLimit(q.rateLimit) : chalk.gray('none'),
    ]);
  }
  return table.toString();
}
