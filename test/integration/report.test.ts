import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { DemoJob, ReportJob } from '@/jobs';
import { reportColumns } from '@/lib/report/report-file';
import { getJobDetail } from '@/store/queries';

const db = useTempDatabase();

/** Runs a stored job in this process until it has no attempt left to run: each failed attempt is retried (or failed) as a worker would. */
async function runToTheEnd(id: string): Promise<void> {
  for (;;) {
    const settled = await DemoJob.executeFromDatabase(id).then(() => 'completed', () => 'failed');
    const job = await getJobDetail(await db.engine(), id);
    if (settled === 'completed' || job.state !== 'pending') return;
  }
}

/** The nearest-rank percentile of sorted values. */
const nearestRank = (sorted: number[], p: number) => sorted[Math.ceil((sorted.length * p) / 100) - 1];

describe('the report job', () => {
  it('reports the attempts of real runs, some completing, some failing after retries, with their exact counts and run times', async () => {
    const ids = [
      ...await DemoJob.laterMany([1, 2, 3].map(() => ({ steps: 1, delayMs: 5 }))), // complete at once
      ...await DemoJob.laterMany([1, 2].map(() => ({ steps: 1, delayMs: 5, failTimes: 1 }))), // fail once, then complete
      await DemoJob.later({ steps: 1, delayMs: 5, failTimes: 9 }, { maxAttempts: 2 }), // fail, retried, fail for good
    ];
    for (const id of ids) await runToTheEnd(id);
    const attempts = (await Promise.all(ids.map(async (id) => (await getJobDetail(await db.engine(), id)).attemptHistory))).flat();
    expect(attempts.map((a) => a.outcome).sort()).toEqual(['completed', 'completed', 'completed', 'completed', 'completed', 'failed', 'failed', 'failed', 'failed']);
    const runMs = attempts.map((a) => a.finishedAt - a.startedAt).sort((a, b) => a - b);

    const { data: csv } = await ReportJob.now({ hours: 1 });
    expect(csv).toMatchObject({ format: 'csv', rows: 1 });
    expect(csv.file).toBe(path.join(db.dir, 'reports', path.basename(csv.file)));
    expect(Date.parse(csv.to) - Date.parse(csv.from)).toBe(3_600_000);
    const [header, row, end] = fs.readFileSync(csv.file, 'utf8').split('\r\n');
    expect([header.split(','), end]).toEqual([[...reportColumns], '']);
    const mean = Math.round((runMs.reduce((a, b) => a + b, 0) / runMs.length) * 10) / 10;
    expect(row.split(',')).toEqual([
      csv.from, csv.to, 'demo', 'default', '9', '5', '1', '0', '3', String(Math.round((1 / 6) * 10_000) / 10_000),
      String(mean), String(nearestRank(runMs, 50)), String(nearestRank(runMs, 95)), String(nearestRank(runMs, 99)),
    ]);

    const { data: json } = await ReportJob.now({ from: csv.from, to: csv.to, format: 'json' });
    expect(json).toEqual({ ...csv, format: 'json', file: csv.file.replace(/\.csv$/, '.json') });
    expect(JSON.parse(fs.readFileSync(json.file, 'utf8'))).toMatchObject({
      from: csv.from, to: csv.to,
      rows: [{ name: 'demo', queue: 'default', attempts: 9, completed: 5, failed: 1, cancelled: 0, retried: 3, failureRate: 0.1667,
        runTimeMs: { mean, p50: nearestRank(runMs, 50), p95: nearestRank(runMs, 95), p99: nearestRank(runMs, 99) } }],
    });
    expect(fs.readdirSync(path.dirname(csv.file)).sort()).toEqual([path.basename(csv.file), path.basename(json.file)]);
  });

  it('refuses params that name no period it can read', async () => {
    const bad = [{ hours: 2, from: '2026-01-01T00:00:00Z' }, { from: '2026-01-02', to: '2026-01-01' }, { hours: 0 }, { format: 'xlsx' }, { from: 'yesterday' }];
    for (const params of bad) await expect(ReportJob.later(params as never)).rejects.toMatchObject({ code: 'invalid_params' });
  });
});
