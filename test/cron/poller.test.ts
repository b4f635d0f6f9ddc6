import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { CronPoller } from '@/cron/poller';
import { getConfig } from '@/config/env';
import { Job, JobRegistry } from '@/lib/jobs';
import { DemoJob } from '@/jobs';
import { addSchedule, dueSchedules, fireSchedule, getSchedule, listSchedules, setScheduleEnabled, updateSchedule } from '@/store/cron';
import { listJobs } from '@/store/queries';
import { nextFireAfter } from '@/core/cron';

const db = useTempDatabase({ JOBS_CRON_MISFIRE_GRACE_MS: '60000' });
const t0 = Date.parse('2026-01-05T08:00:00Z');
const lines: string[] = [];
const log = { info: (l: string) => lines.push(l), error: (l: string) => lines.push(`error: ${l}`) };

/** A poller whose clock stands still at t0 unless a tick is given another time. */
async function pollerOn(registry = new JobRegistry([DemoJob]), graceMs = 60_000) {
  const config = { ...getConfig(), cronMisfireGraceMs: graceMs };
  return new CronPoller({ engine: await db.engine(), config, registry, log, now: () => t0 });
}
/** Starts a poller (which syncs the code's schedules) and stops it again. */
async function startAndStop(registry: JobRegistry) {
  const p = await pollerOn(registry);
  await p.start();
  await p.stop();
}
async function add(name: string, cron: string, nextRunAt: number, misfire: 'skip' | 'run-once' = 'skip') {
  const spec = { name, jobName: 'demo', cron, timezone: 'UTC', params: '{"steps":1,"delayMs":1}', description: null, misfire };
  await addSchedule(await db.engine(), spec, nextRunAt, t0);
}
const jobsOf = async (name: string) => (await listJobs(await db.engine(), { scheduleName: name, limit: 1000 })).reverse();

beforeEach(async () => {
  await (await db.engine()).run('DELETE FROM cron_jobs');
  lines.length = 0;
});

describe('the cron poller', () => {
  it('fires a due schedule once, with the fire time in the job\'s idempotency key, and not again for the same time', async () => {
    await add('every-minute', '* * * * *', t0);
    const p = await pollerOn();
    expect(await p.tick(t0 + 5_000)).toBe(1);
    expect(await p.tick(t0 + 5_000)).toBe(0);
    const [job] = await jobsOf('every-minute');
    expect(job).toMatchObject({ name: 'demo', idempotencyKey: `cron:every-minute:${t0}`, params: '{"steps":1,"delayMs":1}', state: 'pending' });
    expect(await getSchedule(await db.engine(), 'every-minute')).toMatchObject({ lastRunAt: t0, nextRunAt: t0 + 60_000, runsTotal: 1 });
    expect(await p.tick(t0 + 60_000)).toBe(1);
    expect((await jobsOf('every-minute')).map((j) => j.idempotencyKey)).toEqual([`cron:every-minute:${t0}`, `cron:every-minute:${t0 + 60_000}`]);
  });

  it('catches up every fire within the grace period, in order', async () => {
    await add('catch-up', '*/10 * * * * *', t0);
    expect(await (await pollerOn()).tick(t0 + 30_000)).toBe(4);
    expect((await jobsOf('catch-up')).map((j) => j.idempotencyKey)).toEqual([0, 10, 20, 30].map((s) => `cron:catch-up:${t0 + s * 1000}`));
  });

  it('after downtime, skip drops the missed fires and counts them', async () => {
    await add('skipper', '* * * * *', t0);
    const now = t0 + 3 * 3_600_000 + 30_000; // three hours down
    expect(await (await pollerOn()).tick(now)).toBe(1); // the fire 30 s ago is within the grace period
    expect((await jobsOf('skipper')).map((j) => j.idempotencyKey)).toEqual([`cron:skipper:${t0 + 3 * 3_600_000}`]);
    expect(await getSchedule(await db.engine(), 'skipper')).toMatchObject({ runsMissed: 180, runsTotal: 1, nextRunAt: t0 + 3 * 3_600_000 + 60_000 });
    expect(lines).toContain('schedule skipper: skipped 180 missed fire(s) (misfire policy skip)');
  });

  it('after downtime, run-once runs one job for all the missed fires', async () => {
    await add('once', '0 * * * *', t0, 'run-once');
    const now = t0 + 5 * 3_600_000 + 30 * 60_000; // five and a half hours down: 6 fires missed
    expect(await (await pollerOn()).tick(now)).toBe(1);
    expect((await jobsOf('once')).map((j) => j.idempotencyKey)).toEqual([`cron:once:${t0 + 5 * 3_600_000}`]);
    expect(await getSchedule(await db.engine(), 'once')).toMatchObject({ runsMissed: 5, runsTotal: 1, nextRunAt: t0 + 6 * 3_600_000 });
  });

  it('a disabled schedule does not fire; enabled again, it resumes from now without the fires it missed', async () => {
    await add('toggled', '* * * * *', t0);
    const engine = await db.engine();
    await setScheduleEnabled(engine, 'toggled', false, null, t0);
    expect(await (await pollerOn()).tick(t0 + 10 * 60_000)).toBe(0);
    const resumeAt = nextFireAfter('* * * * *', 'UTC', t0 + 10 * 60_000)!;
    await setScheduleEnabled(engine, 'toggled', true, resumeAt, t0 + 10 * 60_000);
    expect(await (await pollerOn()).tick(resumeAt)).toBe(1);
    expect((await jobsOf('toggled')).map((j) => j.idempotencyKey)).toEqual([`cron:toggled:${resumeAt}`]);
  });

  it('a fire whose job its idempotency key dropped (a live job from that fire) is not counted as a run', async () => {
    await add('guarded', '* * * * *', t0);
    const { enqueueJobs } = await import('@/store/enqueue');
    const { newJobId } = await import('@/core/ids');
    await enqueueJobs(await db.engine(), [{
      id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{}', maxAttempts: 1, backoff: null,
      timeoutMs: 1_000, runAt: t0, idempotencyKey: `cron:guarded:${t0}`,
    }], t0);
    expect(await (await pollerOn()).tick(t0 + 1_000)).toBe(0);
    expect(await getSchedule(await db.engine(), 'guarded')).toMatchObject({ runsTotal: 0, lastRunAt: null, nextRunAt: t0 + 60_000 });
  });

  it('a poller that read the old timing loses its fire once an operator changed the cron, and the new timing holds', async () => {
    await add('retimed', '0 * * * *', t0);
    const engine = await db.engine();
    const [read] = (await dueSchedules(engine, t0)).filter((s) => s.name === 'retimed');
    const newNext = nextFireAfter('30 * * * *', 'UTC', t0)!;
    await updateSchedule(engine, 'retimed', { cron: '30 * * * *', nextRunAt: newNext }, t0);
    const late = await fireSchedule(engine, { name: 'retimed', expectedNextRunAt: read.nextRunAt!, nextRunAt: t0 + 3_600_000, job: null, fireAt: t0, missed: 0, now: t0 });
    expect(late).toEqual({ claimed: false, enqueued: false });
    expect(await getSchedule(engine, 'retimed')).toMatchObject({ cron: '30 * * * *', nextRunAt: newNext, runsTotal: 0 });
  });

  it('counts the completed and failed runs of the jobs it enqueued', async () => {
    await add('counted', '* * * * *', t0);
    await (await pollerOn()).tick(t0);
    const [job] = await jobsOf('counted');
    await DemoJob.executeFromDatabase(job.id);
    expect(await getSchedule(await db.engine(), 'counted')).toMatchObject({ runsTotal: 1, runsCompleted: 1, runsFailed: 0 });
  });

  it('three pollers racing over the same 200 fires enqueue each exactly once', async () => {
    await add('contended', '* * * * * *', t0);
    const graceMs = 300_000; // all 200 are on time: the pollers race through every one
    const pollers = await Promise.all([pollerOn(undefined, graceMs), pollerOn(undefined, graceMs), pollerOn(undefined, graceMs)]);
    const now = t0 + 199_000;
    const enqueued = await Promise.all(pollers.map((p) => p.tick(now)));
    expect(enqueued.reduce((a, b) => a + b, 0)).toBe(200);
    const keys = (await jobsOf('contended')).map((j) => j.idempotencyKey);
    expect(keys).toHaveLength(200);
    expect(new Set(keys).size).toBe(200);
  });
});

describe('schedules declared in code', () => {
  class NightlyJob extends Job<{ depth: number }, void> {
    static jobName = 'nightly';
    static schedule = { cron: '0 2 * * *', tz: 'Europe/Paris', params: { depth: 1 }, description: 'nightly sweep' };
    protected async perform() {}
  }

  it('are added at start, updated when the code changes, never re-enabled over an operator, and removed with the code', async () => {
    const engine = await db.engine();
    await startAndStop(new JobRegistry([NightlyJob]));
    expect(await getSchedule(engine, 'nightly')).toMatchObject({
      jobName: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Paris', params: '{"depth":1}', enabled: 1, source: 'code',
      nextRunAt: nextFireAfter('0 2 * * *', 'Europe/Paris', t0),
    });

    await setScheduleEnabled(engine, 'nightly', false, null, t0); // an operator turns it off
    NightlyJob.schedule = { ...NightlyJob.schedule, cron: '30 3 * * *' };
    await startAndStop(new JobRegistry([NightlyJob]));
    expect(await getSchedule(engine, 'nightly')).toMatchObject({ cron: '30 3 * * *', enabled: 0 });

    await startAndStop(new JobRegistry([DemoJob]));
    expect((await listSchedules(engine)).map((s) => s.name)).toEqual([]);
  });

  it('cannot be redefined through the store: a change to one is a conflict that changes nothing', async () => {
    const engine = await db.engine();
    await startAndStop(new JobRegistry([NightlyJob]));
    const before = await getSchedule(engine, 'nightly');
    await expect(updateSchedule(engine, 'nightly', { cron: '0 5 * * *', nextRunAt: t0 + 1 }, t0 + 1)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/declared in code/) });
    expect(await getSchedule(engine, 'nightly')).toEqual(before);
    await expect(updateSchedule(engine, 'no-such', { cron: '0 5 * * *' }, t0)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a bad expression on a class fails at start', async () => {
    class BrokenJob extends Job {
      static jobName = 'broken';
      static schedule = { cron: '0 25 * * *' };
      protected async perform() {}
    }
    await expect(startAndStop(new JobRegistry([BrokenJob]))).rejects.toThrow(/The schedule on BrokenJob is invalid: Invalid cron expression "0 25 \* \* \*"/);
  });
});
