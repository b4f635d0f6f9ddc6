import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { runJobsCli } from '../helpers/processes';
import { DemoJob } from '@/jobs';
import { activityMaxJobIds, appendActivity, listActivity } from '@/store/activity';

const db = useTempDatabase();

describe('the action log', () => {
  it('lists newest first in keyset pages that stay put while entries are added', async () => {
    const engine = await db.engine();
    const start = (await listActivity(engine, { limit: 1 })).entries[0]?.id ?? 0;
    for (let i = 1; i <= 5; i++) await appendActivity(engine, { actor: 'admin', action: 'note', details: { i } }, 1_000 + i);
    const first = await listActivity(engine, { limit: 2 });
    expect(first.entries.map((e) => e.details)).toEqual([{ i: 5 }, { i: 4 }]);
    await appendActivity(engine, { actor: 'readonly', action: 'session.login' }, 2_000); // a newer entry does not shift the next page
    const second = await listActivity(engine, { limit: 2, before: first.nextBefore! });
    expect(second.entries.map((e) => e.details)).toEqual([{ i: 3 }, { i: 2 }]);
    const rest = await listActivity(engine, { limit: 10, before: second.nextBefore! });
    expect(rest.entries.filter((e) => e.id > start).map((e) => e.details)).toEqual([{ i: 1 }]);
    expect(rest.nextBefore).toBeNull();
  });

  it('keeps who, what, which jobs and when; a bulk entry keeps the count and the first ids only', async () => {
    const engine = await db.engine();
    const ids = Array.from({ length: activityMaxJobIds + 5 }, (_, i) => `job-${i}`);
    const id = await appendActivity(engine, { actor: 'admin', action: 'job.retry', jobIds: ids, target: 'mail' }, 5_000);
    const [entry] = (await listActivity(engine, { limit: 1 })).entries;
    expect(entry).toMatchObject({ id, at: 5_000, actor: 'admin', action: 'job.retry', target: 'mail', jobCount: ids.length, details: null });
    expect(entry.jobIds).toEqual(ids.slice(0, activityMaxJobIds));
  });
});

describe('bin/jobs commands that change things write cli entries', () => {
  it('cancel, retry, queues pause / resume / limit and the schedule commands each leave one entry naming what they touched', async () => {
    const engine = await db.engine();
    const jobId = await DemoJob.later({ steps: 1 });
    const before = (await listActivity(engine, { limit: 1 })).entries[0]?.id ?? 0;
    const env = { DATABASE_URL: db.url };
    for (const args of [
      ['cancel', jobId],
      ['retry', jobId],
      ['queues', 'pause', 'mail'],
      ['queues', 'resume', 'mail'],
      ['queues', 'limit', 'mail', '--rate', '10/1m'],
      ['queues', 'limit', 'mail', '--clear'],
      ['schedule', 'add', '--name', 'nightly', '--job', 'demo', '--cron', '0 2 * * *'],
      ['schedule', 'disable', 'nightly'],
      ['schedule', 'enable', 'nightly'],
      ['schedule', 'run', 'nightly'],
      ['schedule', 'remove', 'nightly'],
      ['cleanup'],
    ]) {
      const result = await runJobsCli(args, env);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    const entries = (await listActivity(engine, { limit: 50 })).entries.filter((e) => e.id > before).reverse();
    expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['cli', 'job.cancel', null],
      ['cli', 'job.retry', null],
      ['cli', 'queue.pause', 'mail'],
      ['cli', 'queue.resume', 'mail'],
      ['cli', 'queue.rate_limit.set', 'mail'],
      ['cli', 'queue.rate_limit.clear', 'mail'],
      ['cli', 'schedule.add', 'nightly'],
      ['cli', 'schedule.disable', 'nightly'],
      ['cli', 'schedule.enable', 'nightly'],
      ['cli', 'schedule.run', 'nightly'],
      ['cli', 'schedule.remove', 'nightly'],
      ['cli', 'cleanup', null],
    ]);
    expect(entries[0].jobIds).toEqual([jobId]);
    expect(entries[1].jobIds).toEqual([jobId]);
    expect(entries[4].details).toEqual({ rate: '10/1m' });
    expect(entries[9].jobIds).toHaveLength(1);
  });
});
