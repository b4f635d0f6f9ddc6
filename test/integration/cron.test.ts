import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { describePollerRace } from '../cron/poller-race-suite';
import { root, runJobsCli, spawnProcess, stopProcess, waitFor } from '../helpers/processes';
import { addSchedule, getSchedule, listSchedules } from '@/store/cron';
import { enqueueJobs } from '@/store/enqueue';
import { countByState } from '@/store/queries';
import { newJobId } from '@/core/ids';

const db = useTempDatabase();
const env = () => ({ DATABASE_URL: db.url });
const cli = (...args: string[]) => runJobsCli(args, env());

describePollerRace('cron pollers as processes', db);

describe('bin/jobs schedule', () => {
  it('refuses a bad expression, timezone, job, params or duplicate name, and stores nothing', async () => {
    const before = (await listSchedules(await db.engine())).length;
    const cases: [string[], number, RegExp][] = [
      [['--cron', '0 25 * * *'], 2, /Invalid cron expression "0 25 \* \* \*": Invalid value for hour: 25/],
      [['--cron', 'every day'], 2, /needs 5 fields/],
      [['--cron', '0 2 * * *', '--tz', 'Moon/Base'], 2, /Unknown timezone "Moon\/Base"/],
      [['--cron', '0 2 * * *', '--misfire', 'sometimes'], 2, /Invalid misfire policy "sometimes"/],
      [['--cron', '0 2 * * *', '--param', 'steps=-1'], 2, /Invalid params for demo/],
    ];
    for (const [extra, code, message] of cases) {
      const result = await cli('schedule', 'add', '--name', 'nightly', '--job', 'demo', ...extra);
      expect({ extra, code: result.code }).toEqual({ extra, code });
      expect(result.stderr).toMatch(message);
    }
    const unknownJob = await cli('schedule', 'add', '--name', 'n', '--job', 'nope', '--cron', '0 2 * * *');
    expect(unknownJob.code).toBe(2);
    expect(unknownJob.stderr).toMatch(/Unknown job "nope"/);
    expect((await listSchedules(await db.engine())).length).toBe(before);
  });

  it('adds, lists, shows, disables, enables, runs and removes a schedule', async () => {
    const added = await cli('schedule', 'add', '--name', 'nightly-demo', '--job', 'DemoJob', '--cron', '0 2 * * *', '--tz', 'Europe/Paris', '--param', 'steps=2', '--desc', 'a nightly demo');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/added schedule nightly-demo: demo at "0 2 \* \* \*" \(Europe\/Paris\); next run 20\d\d-/);
    expect((await cli('schedule', 'add', '--name', 'nightly-demo', '--job', 'demo', '--cron', '* * * * *')).stderr).toMatch(/already exists/);

    const list = JSON.parse((await cli('schedule', 'list', '--json')).stdout);
    expect(list).toContainEqual(expect.objectContaining({ name: 'nightly-demo', jobName: 'demo', timezone: 'Europe/Paris', params: { steps: 2 }, enabled: 1, source: 'operator' }));

    expect((await cli('schedule', 'disable', 'nightly-demo')).code).toBe(0);
    expect(await getSchedule(await db.engine(), 'nightly-demo')).toMatchObject({ enabled: 0 });
    expect((await cli('schedule', 'enable', 'nightly-demo')).stdout).toMatch(/enabled schedule nightly-demo; next run/);

    const run = await cli('schedule', 'run', 'nightly-demo');
    expect(run.code).toBe(0);
    const id = run.stdout.match(/enqueued demo (\S+)/)![1];
    const shown = JSON.parse((await cli('schedule', 'show', 'nightly-demo', '--json')).stdout);
    expect(shown).toMatchObject({ name: 'nightly-demo', runsTotal: 1, recentJobs: [id] });
    expect((await cli('schedule', 'show', 'nightly-demo')).stdout).toContain('a nightly demo');

    expect((await cli('schedule', 'remove', 'nightly-demo')).code).toBe(0);
    const gone = await cli('schedule', 'show', 'nightly-demo');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/No schedule named "nightly-demo"/);
    expect((await cli('schedule', 'frobnicate')).code).toBe(2);
  });
});

describe('bin/jobs cleanup', () => {
  it('deletes finished jobs past their retention with their attempts, and keeps the rest', async () => {
    const engine = await db.engine();
    const day = 86_400_000;
    const now = Date.now();
    const mk = () => ({ id: newJobId(), name: 'demo', queue: 'old', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null });
    const rows = [mk(), mk(), mk(), mk()];
    await enqueueJobs(engine, rows, now);
    const finish = (id: string, state: string, ageMs: number) =>
      engine.run(`UPDATE jobs SET state = ?, completed_at = ? WHERE id = ?`, [state, now - ageMs, id]);
    await finish(rows[0].id, 'completed', 2 * day); // past 1d: goes
    await finish(rows[1].id, 'completed', 3_600_000); // 1h: stays
    await finish(rows[2].id, 'failed', 8 * day); // past 7d: goes
    await finish(rows[3].id, 'failed', 2 * day); // stays
    await engine.run(`INSERT INTO job_attempts (job_id, attempt, started_at, finished_at, outcome) VALUES (?, 1, 0, 0, 'completed')`, [rows[0].id]);
    // Per-minute stats: 8 days old goes (past the 7 days stats can show), 6 days old stays; so does the
    // row the triggers wrote for the job failed 8 days ago, and not those of the jobs ended since.
    const statsMinute = (ageMs: number) => Math.floor((now - ageMs) / 60_000);
    for (const minute of [statsMinute(8 * day), statsMinute(6 * day)]) {
      await engine.run(`INSERT INTO job_minutes (minute, queue, name, completed, histogram) VALUES (?, 'stats-only', 'demo', 1, '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]')`, [minute]);
    }
    const before = await countByState(engine);
    const result = await cli('cleanup', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ completedDeleted: 1, failedDeleted: 1, statsMinutesDeleted: 2 });
    expect(await engine.all(`SELECT minute FROM job_minutes WHERE queue = 'stats-only'`)).toEqual([{ minute: statsMinute(6 * day) }]);
    expect((await engine.all<{ minute: number }>(`SELECT minute FROM job_minutes WHERE queue = 'old' ORDER BY minute`)).map((r) => r.minute))
      .toEqual([statsMinute(2 * day), statsMinute(3_600_000)]);
    const after = await countByState(engine);
    expect(after.completed).toBe(before.completed - 1);
    expect(after.failed).toBe(before.failed - 1);
    expect(await engine.all(`SELECT id FROM job_attempts WHERE job_id = ?`, [rows[0].id])).toEqual([]);
    expect((await cli('cleanup', '--completed-older-than', 'whenever')).code).toBe(2);
  });
});
