import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { CronPoller } from '@/cron/poller';
import { parseConfig as parseEnv, type Config } from '@/config/env';
import { nextFireAfter } from '@/core/cron';
import { registry } from '@/jobs';
import { describeJobTypes } from '@/lib/jobs/job-types';
import { getSchedule, listSchedules, setScheduleEnabled } from '@/store/cron';

const parseConfig = (env: Record<string, string | undefined>) => parseEnv(env as unknown as NodeJS.ProcessEnv);

const db = useTempDatabase();
const t0 = Date.parse('2026-01-05T08:00:00Z');
const log = { info: () => {}, error: () => {} };

/** Starts a poller on the app's own registry with this configuration (its start syncs the code's schedules), and stops it. */
async function startPollerWith(env: Record<string, string>) {
  const config: Config = parseConfig({ ...process.env, JOBS_BACKUP_CRON: undefined, JOBS_REPORT_CRON: undefined, ...env });
  const poller = new CronPoller({ engine: await db.engine(), config, registry, log, now: () => t0 });
  await poller.start();
  await poller.stop();
}
const scheduleNames = async () => (await listSchedules(await db.engine())).map((s) => s.name);

beforeEach(async () => {
  await (await db.engine()).run('DELETE FROM cron_jobs');
});

describe('the built-in schedules switched by environment variables', () => {
  it('are off by default: only cleanup keeps its hourly schedule', async () => {
    await startPollerWith({});
    expect(await scheduleNames()).toEqual(['cleanup']);
    expect(await getSchedule(await db.engine(), 'cleanup')).toMatchObject({ cron: '0 * * * *', source: 'code', enabled: 1 });
  });

  it('JOBS_BACKUP_CRON and JOBS_REPORT_CRON add the database-backup and report schedules at the next poller start', async () => {
    await startPollerWith({ JOBS_BACKUP_CRON: '0 3 * * *', JOBS_REPORT_CRON: '30 6 * * 1' });
    expect(await scheduleNames()).toEqual(['cleanup', 'database-backup', 'report']);
    const engine = await db.engine();
    expect(await getSchedule(engine, 'database-backup')).toMatchObject({
      jobName: 'database-backup', cron: '0 3 * * *', timezone: 'UTC', params: '{}', source: 'code', enabled: 1, nextRunAt: nextFireAfter('0 3 * * *', 'UTC', t0),
    });
    expect(await getSchedule(engine, 'report')).toMatchObject({ jobName: 'report', cron: '30 6 * * 1', source: 'code', enabled: 1 });
  });

  it('a changed variable changes the schedule, and an unset (or blank) one removes it at the next poller start, so it never fires again', async () => {
    await startPollerWith({ JOBS_BACKUP_CRON: '0 3 * * *', JOBS_REPORT_CRON: '0 4 * * *' });
    await startPollerWith({ JOBS_BACKUP_CRON: '15 2 * * *', JOBS_REPORT_CRON: '0 4 * * *' });
    expect(await getSchedule(await db.engine(), 'database-backup')).toMatchObject({ cron: '15 2 * * *', nextRunAt: nextFireAfter('15 2 * * *', 'UTC', t0) });

    await startPollerWith({ JOBS_REPORT_CRON: '0 4 * * *' }); // JOBS_BACKUP_CRON unset
    expect(await scheduleNames()).toEqual(['cleanup', 'report']);
    await startPollerWith({ JOBS_REPORT_CRON: '' }); // blank, as `JOBS_REPORT_CRON=` in a .env file
    expect(await scheduleNames()).toEqual(['cleanup']);
  });

  it('one an operator disabled stays disabled when its variable changes, and is removed all the same when it is unset', async () => {
    await startPollerWith({ JOBS_BACKUP_CRON: '0 3 * * *' });
    await setScheduleEnabled(await db.engine(), 'database-backup', false, null, t0);
    await startPollerWith({ JOBS_BACKUP_CRON: '0 5 * * *' });
    expect(await getSchedule(await db.engine(), 'database-backup')).toMatchObject({ cron: '0 5 * * *', enabled: 0 });
    await startPollerWith({});
    expect(await scheduleNames()).toEqual(['cleanup']);
  });

  it('a bad expression in a variable is a config error naming it', () => {
    expect(() => parseConfig({ JOBS_BACKUP_CRON: '0 25 * * *' })).toThrow(/JOBS_BACKUP_CRON: Invalid cron expression "0 25 \* \* \*"/);
    expect(() => parseConfig({ JOBS_REPORT_CRON: 'daily' })).toThrow(/JOBS_REPORT_CRON: Invalid cron expression "daily"/);
  });

  it('bin/jobs types shows each schedule under the configuration it runs with', () => {
    const schedulesOf = (env: Record<string, string>) => Object.fromEntries(describeJobTypes(registry, parseConfig(env)).map((t) => [t.name, t.schedule]));
    expect(schedulesOf({})).toMatchObject({ cleanup: '0 * * * * (UTC)', 'database-backup': null, report: null });
    expect(schedulesOf({ JOBS_BACKUP_CRON: '0 3 * * *', JOBS_REPORT_CRON: '0 4 * * *' })).toMatchObject({ 'database-backup': '0 3 * * * (UTC)', report: '0 4 * * * (UTC)' });
  });
});
