import path from 'node:path';
import { z } from 'zod';
import { defaults } from '@/config/defaults';
import { getConfig, type Config } from '@/config/env';
import { getEngine } from '@/db/client';
import { dataDir } from '@/db/data-dir';
import { Job } from '@/lib/jobs';
import { reportFileName, reportText, writeFileWhole, type ReportFormat, type ReportPeriod } from '@/lib/report/report-file';
import { readReportRows } from '@/store/report';

const isoTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const hourMs = 3_600_000;

const reportParams = z
  .object({
    hours: z.number().positive().max(defaults.reportMaxHours).optional()
      .describe(`the period: the hours before \`to\` (or now); default ${defaults.reportHours}`),
    from: isoTime.optional().describe('the period\'s start, an ISO time or date (instead of hours)'),
    to: isoTime.optional().describe('the period\'s end, not included; default now'),
    format: z.enum(['csv', 'json']).optional().describe('default "csv"'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.hours !== undefined && p.from !== undefined) ctx.addIssue({ code: 'custom', message: 'give hours or from, not both' });
    const from = p.from === undefined ? undefined : Date.parse(p.from);
    const to = p.to === undefined ? undefined : Date.parse(p.to);
    if (from !== undefined && to !== undefined && from >= to) ctx.addIssue({ code: 'custom', message: 'from must be before to' });
    if (from !== undefined && (to ?? Date.now()) - from > defaults.reportMaxHours * hourMs) {
      ctx.addIssue({ code: 'custom', message: `the period may be at most ${defaults.reportMaxHours} hours` });
    }
  });

export type ReportParams = z.input<typeof reportParams>;
export interface ReportResult {
  /** Absolute path of the report written. */
  file: string;
  format: ReportFormat;
  /** Rows in it: one per job name and queue with an attempt in the period. */
  rows: number;
  /** The period, ISO times: attempts that ended at `from` or later and before `to`. */
  from: string;
  to: string;
}

/** The period params ask for, at `now`: from/to, or `hours` up to `to` (default now), 24 hours if neither. */
export function reportPeriod(params: ReportParams, now: number): ReportPeriod {
  const to = params.to === undefined ? now : Date.parse(params.to);
  const from = params.from === undefined ? to - (params.hours ?? defaults.reportHours) * hourMs : Date.parse(params.from);
  return { from, to };
}

/**
 * Built in: job statistics for a period, per job name and queue, as a CSV (or
 * JSON) file in <data folder>/reports/: attempts per outcome, retries, failure
 * rate, and the mean and p50 / p95 / p99 run time of the attempts, exact, from
 * the attempts table (src/store/report.ts). Scheduled only when
 * JOBS_REPORT_CRON is set; each scheduled run covers the 24 hours before it.
 */
export class ReportJob extends Job<ReportParams, ReportResult> {
  static jobName = 'report';
  static description = 'Job statistics of a period per name and queue (counts per outcome, failure rate, p50/p95/p99 run time) as a CSV or JSON file under the data folder';
  static params = reportParams;
  static options = { queue: 'maintenance', priority: 'low' as const, maxAttempts: 2, timeout: '10m' };
  static schedule = (config: Config) => config.reportCron
    ? { cron: config.reportCron, description: `Writes the job statistics of the last ${defaults.reportHours} hours to <data folder>/reports (JOBS_REPORT_CRON)` }
    : undefined;

  protected async perform(params: ReportParams): Promise<ReportResult> {
    const now = Date.now();
    const period = reportPeriod(params, now);
    const format = params.format ?? 'csv';
    const rows = await readReportRows(await getEngine(), period);
    const file = path.join(dataDir(getConfig()), defaults.reportDirName, reportFileName(period, format));
    writeFileWhole(file, reportText(period, rows, format, now));
    this.logger.info('report written', { file, rows: rows.length });
    return { file, format, rows: rows.length, from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() };
  }
}
