import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { csvText } from '../../core/csv';
import type { ReportRow } from '../../store/report';
import { failureRate } from '../jobs/stats/names';

export type ReportFormat = 'csv' | 'json';

/** A report's period, epoch ms: attempts that ended at `from` or later and before `to`. */
export interface ReportPeriod {
  from: number;
  to: number;
}

/** The columns of a CSV report, in order. */
export const reportColumns = [
  'from', 'to', 'name', 'queue', 'attempts', 'completed', 'failed', 'cancelled', 'retried', 'failure_rate', 'mean_ms', 'p50_ms', 'p95_ms', 'p99_ms',
] as const;

const iso = (ms: number) => new Date(ms).toISOString();
const tenths = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The report's file name: its period, so that names sort by it and a second
 * report of the same period replaces the first.
 * @example reportFileName({ from: 0, to: 3_600_000 }, 'csv') // 'jobs-report-1970-01-01T00-00-00-000Z--1970-01-01T01-00-00-000Z.csv'
 */
export function reportFileName(period: ReportPeriod, format: ReportFormat): string {
  const stamp = (ms: number) => iso(ms).replace(/[:.]/g, '-');
  return `jobs-report-${stamp(period.from)}--${stamp(period.to)}.${format}`;
}

/** The report's text: CSV with a header line, or JSON with the period and one object per row. */
export function reportText(period: ReportPeriod, rows: readonly ReportRow[], format: ReportFormat, generatedAt: number): string {
  if (format === 'csv') {
    return csvText(reportColumns, rows.map((r) => [
      iso(period.from), iso(period.to), r.name, r.queue, r.attempts, r.completed, r.failed, r.cancelled, r.retried,
      failureRate(r.completed, r.failed), tenths(r.meanMs), r.p50Ms, r.p95Ms, r.p99Ms,
    ]));
  }
  return `${JSON.stringify({
    from: iso(period.from), to: iso(period.to), generatedAt: iso(generatedAt),
    rows: rows.map((r) => ({
      name: r.name, queue: r.queue, attempts: r.attempts, completed: r.completed, failed: r.failed, cancelled: r.cancelled, retried: r.retried,
      failureRate: failureRate(r.completed, r.failed), runTimeMs: { mean: tenths(r.meanMs), p50: r.p50Ms, p95: r.p95Ms, p99: r.p99Ms },
    })),
  }, null, 2)}\n`;
}

/** Writes `text` as `file`, whole or not at all: a hidden temp file beside it, renamed over it. */
export function writeFileWhole(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.part-${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(temp, text, { flag: 'wx' });
    fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
