import chalk from 'chalk';
import Table from 'cli-table3';
import type { CronJobRow, JobRow } from '../db/schema';
import type { JobDetailJson } from '../lib/jobs/json';
import type { JobTypeInfo } from '../lib/jobs/job-types';
import { paramsText } from '../lib/jobs/param-description';
import { shortJobId } from '../core/ids';
import { displayState, type JobState } from '../core/states';
import { formatDuration } from '../core/duration';
import { priorityLabel } from '../core/priority';
import { formatRateLimit } from '../core/rate';
import type { QueueSummary } from '../store/queues';

/** The CLI's only renderer: commands hand it data, it returns text for people. */

/** cli-table3 colours its borders on its own; follow chalk, so pipes and NO_COLOR get plain text. */
export function tableStyle(boldHead = true): { head: string[]; border: string[] } {
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
  return labelText(displayState(job, Date.now()));
}

/** A job's label (pending, scheduled, retrying, ...) in its colour. */
export function labelText(label: string): string {
  return (stateColour[label] ?? ((s: string) => s))(label);
}

const time = (ms: number | null) => (ms == null ? chalk.gray('-') : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));
/** The same for the ISO times of a job's JSON. */
const isoTime = (iso: string | null) => (iso == null ? chalk.gray('-') : iso.replace('T', ' ').slice(0, 19));

export function renderJobTable(jobs: JobRow[]): string {
  if (jobs.length === 0) return chalk.gray('No jobs match.');
  const table = new Table({ head: ['id', 'name', 'queue', 'state', 'priority', 'attempts', 'progress', 'created'], style: tableStyle() });
  for (const job of jobs) {
    table.push([shortJobId(job.id), job.name, job.queue, stateLabel(job), priorityLabel(job.priority), `${job.attempts}/${job.maxAttempts}`, `${job.progress}%`, time(job.createdAt)]);
  }
  return table.toString();
}

/**
 * Each job type as a block: its name, class and description, its defaults on
 * one line, then one line per param. A table would be as wide as the longest
 * param's notes; blocks fit a terminal.
 */
export function renderTypes(rows: JobTypeInfo[]): string {
  if (rows.length === 0) return chalk.gray('No job types are registered (src/jobs/index.ts).');
  return rows.map((r) => {
    const defaults = [
      `queue ${r.queue}`, `priority ${priorityLabel(r.priority)}`, `${r.maxAttempts} attempts`, `timeout ${formatDuration(r.timeoutMs)}`,
      `backoff ${r.backoff}`, ...(r.schedule ? [`schedule ${r.schedule}`] : []),
    ].join(' · ');
    const params = paramsText(r.params).split('\n').map((line) => `    ${line}`).join('\n');
    return [
      `${chalk.bold(r.name)} ${chalk.gray(`(${r.className})`)}`,
      ...(r.description ? [`  ${r.description}`] : []),
      `  ${chalk.gray(defaults)}`,
      `  params${r.params.kind === 'object' && r.params.params.length ? ` ${chalk.gray('(? optional)')}` : ''}:`,
      params,
    ].join('\n');
  }).join('\n\n');
}

/** Text a person typed elsewhere (an API client's job title), with control characters that could drive the terminal shown as U+FFFD. */
const printable = (text: string) => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');

const json = (text: string | null) => (text == null ? chalk.gray('-') : JSON.stringify(JSON.parse(text), null, 2));

/**
 * A job in full, from its public JSON (so what is masked there is masked
 * here), plus the two settings that JSON leaves out.
 */
export function renderJobDetail(job: JobDetailJson, settings: { timeoutMs: number; concurrencyLimit: number | null }): string {
  const facts = new Table({ style: tableStyle(false) });
  const lock = job.lease ? `${job.lease.worker} until ${isoTime(job.lease.until)}` : chalk.gray('-');
  facts.push(
    { id: `${job.id} ${chalk.gray(`(${shortJobId(job.id)})`)}` }, { name: job.name }, { queue: job.queue }, { state: labelText(job.label) },
    { priority: priorityLabel(job.priority) }, { attempts: `${job.attempts} of ${job.maxAttempts}` },
    { progress: `${progressBar(job.progress.percent)} ${job.progress.message ?? ''}` },
    { created: isoTime(job.createdAt) }, { 'run at': isoTime(job.runAt) }, { started: isoTime(job.startedAt) },
    { finished: isoTime(job.completedAt) }, { timeout: formatDuration(settings.timeoutMs) }, { lock },
  );
  // A person's title for this job goes where it is read first, under its id; a description may be long, so it has its own part.
  if (job.title) facts.splice(1, 0, { title: chalk.bold(printable(job.title)) });
  if (job.idempotencyKey) facts.push({ 'idempotency key': job.idempotencyKey });
  if (job.concurrencyKey) facts.push({ 'concurrency key': `${job.concurrencyKey} (limit ${settings.concurrencyLimit})` });
  if (job.schedule) facts.push({ schedule: job.schedule });
  if (job.dependsOn.length) facts.push({ 'depends on': job.dependsOn.map(shortJobId).join(', ') });
  const parts = [facts.toString()];
  if (job.description) parts.push(`${chalk.bold('description')}\n${printable(job.description)}`);
  parts.push(`${chalk.bold('params')}\n${JSON.stringify(job.params, null, 2)}`);
  if (job.result != null) parts.push(`${chalk.bold('result')}\n${JSON.stringify(job.result, null, 2)}`);
  if (job.error) parts.push(`${chalk.bold('error')}\n${chalk.red(job.error.name === 'Error' ? job.error.message : `${job.error.name}: ${job.error.message}`)}`);
  if (job.attemptHistory.length) {
    const attempts = new Table({ head: ['#', 'outcome', 'worker', 'started', 'took', 'error'], style: tableStyle(), wordWrap: true, colWidths: [null, null, null, null, null, 50] as number[] });
    for (const a of job.attemptHistory) {
      const took = Date.parse(a.finishedAt) - Date.parse(a.startedAt);
      attempts.push([a.attempt, (stateColour[a.outcome] ?? chalk.red)(a.outcome), a.worker ?? '-', isoTime(a.startedAt), formatDuration(took), a.error?.message ?? '']);
    }
    parts.push(`${chalk.bold('attempts')}\n${attempts.toString()}`);
    const logs = job.attemptHistory.flatMap((a) => a.logs.map((l) => ({ ...l, attempt: a.attempt })));
    if (logs.length) {
      parts.push(`${chalk.bold('logs')}\n${logs.map((l) => `  #${l.attempt} ${isoTime(l.at)} ${l.level.padEnd(5)} ${l.message}${l.data === undefined ? '' : ` ${JSON.stringify(l.data)}`}`).join('\n')}`);
    }
  }
  if (job.progressHistory.length) {
    parts.push(`${chalk.bold('progress')}\n${job.progressHistory.map((p) => `  #${p.attempt} ${isoTime(p.at)} ${String(p.percent).padStart(3)}% ${p.message ?? ''}`).join('\n')}`);
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
