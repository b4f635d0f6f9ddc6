import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../../helpers/db';
import { startHttpServer, type TestHttpServer } from '../../helpers/http-server';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp-server';
import { getConfig, resetConfig } from '@/config/env';
import { parseAlertRule, type AlertRuleInput } from '@/core/alert-rule';
import { newJobId } from '@/core/ids';
import { webhookHeaders, webhookProblem } from '@/core/webhook-signature';
import type { Engine } from '@/db/engine';
import { HttpRequestJob, registry, SendEmailJob } from '@/jobs';
import { CronPoller } from '@/cron/poller';
import { checkAlerts, type NotifiedChange } from '@/lib/alerts/check';
import { executeFromDatabase } from '@/lib/jobs/execute-from-database';
import { addAlertRule, listAlertRules, readScheduleMisses, removeAlertRule } from '@/store/alerts';
import { claimJobs } from '@/store/claim';
import { addSchedule } from '@/store/cron';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob } from '@/store/finish';
import { getJob } from '@/store/queries';
import { registerWorker } from '@/store/workers';

const secret = 'alert-test-secret';
const db = useTempDatabase({ JOBS_WEBHOOK_SECRET: secret });
let receiver: TestHttpServer;
let smtp: TestSmtpServer;
let engine: Engine;
const minuteMs = 60_000;

beforeAll(async () => {
  receiver = await startHttpServer();
  smtp = await startSmtpServer('alerts', 'pw');
  process.env.SMTP_URL = smtp.url;
  resetConfig();
  engine = await db.engine();
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  resetConfig();
  await receiver.close();
  await smtp.close();
});
afterEach(async () => {
  for (const rule of await listAlertRules(engine)) await removeAlertRule(engine, rule.name);
  receiver.received.length = 0;
  smtp.received.length = 0;
});

const addRule = (input: AlertRuleInput) => addAlertRule(engine, parseAlertRule(input), Date.now());
const check = async (now: number) => (await checkAlerts(engine, getConfig(), registry, now)).notified;

/** Runs each notification job through the real built-in job, as a worker would. */
async function deliver(changes: NotifiedChange[]): Promise<void> {
  for (const { jobId } of changes) {
    const job = (await getJob(engine, jobId))!;
    if (job.name === 'send-email') await executeFromDatabase(SendEmailJob, jobId);
    else await executeFromDatabase(HttpRequestJob, jobId);
  }
}

const job = (overrides: Partial<NewJob>): NewJob => ({
  id: newJobId(), name: 'charge', queue: 'billing', priority: 0, params: '{}', maxAttempts: 1,
  backoff: null, timeoutMs: 1000, runAt: Date.now(), idempotencyKey: null, ...overrides,
});

/** Enqueues, claims and ends jobs of `name`: `failed` of them failed (all attempts), `completed` completed. */
async function ended(name: string, queue: string, failed: number, completed: number): Promise<void> {
  const list = Array.from({ length: failed + completed }, () => job({ name, queue }));
  await enqueueJobs(engine, list, Date.now());
  const claimed = await claimJobs(engine, { workerId: 'w', queues: [queue], limit: list.length, now: Date.now(), leaseMs: 60_000 });
  expect(claimed).toHaveLength(list.length);
  for (const [i, { id }] of claimed.entries()) {
    const owner = { jobId: id, workerId: 'w', attempt: 1 };
    if (i < failed) await endJob(engine, owner, { state: 'failed', outcome: 'failed', error: { message: 'card declined', name: 'Error' }, now: Date.now(), logs: [] });
    else await completeJob(engine, owner, { result: null, now: Date.now(), logs: [] });
  }
}

const slackTexts = () => receiver.received.filter((r) => r.url === '/slack').map((r) => (JSON.parse(r.body) as { text: string }).text);

describe('each alert kind fires once when it starts and once when it clears, delivered by the real built-in jobs', () => {
  it('failure-rate: 1 failure of 1 stays quiet (min count); 3 of 4 fires to Slack once; a window later it clears', async () => {
    await addRule({ name: 'charges', kind: 'failure-rate', job: 'charge', threshold: '50%', minCount: '3', window: '15m', notify: `slack:${receiver.origin}/slack` });
    await ended('charge', 'billing', 1, 0);
    expect(await check(Date.now())).toEqual([]);
    await ended('charge', 'billing', 2, 1);
    const fired = await check(Date.now());
    expect(fired).toMatchObject([{ rule: 'charges', firing: true, subject: '' }]);
    expect(await check(Date.now())).toEqual([]); // still firing: not notified again
    await deliver(fired);
    expect(slackTexts()).toEqual([expect.stringMatching(/^\[FIRING\] alert charges \(failure-rate\): job charge: 75\.0% failed \(3 of 4\)/)]);
    const cleared = await check(Date.now() + 17 * minuteMs);
    expect(cleared).toMatchObject([{ rule: 'charges', firing: false }]);
    await deliver(cleared);
    expect(slackTexts()[1]).toMatch(/^\[RESOLVED\] alert charges \(failure-rate\)/);
    expect(await check(Date.now() + 17 * minuteMs)).toEqual([]);
  });

  it('queue-age: a ready job older than the threshold fires a signed webhook; claimed, the alert clears', async () => {
    await addRule({ name: 'reports-late', kind: 'queue-age', queue: 'reports', threshold: '5m', notify: `webhook:${receiver.origin}/hook` });
    const t = Date.now();
    await enqueueJobs(engine, [job({ name: 'report', queue: 'reports', runAt: t })], t);
    expect(await check(t + minuteMs)).toEqual([]);
    const fired = await check(t + 6 * minuteMs);
    expect(fired).toMatchObject([{ rule: 'reports-late', firing: true, subject: 'reports' }]);
    await deliver(fired);
    const [hook] = receiver.received;
    expect(hook.url).toBe('/hook');
    expect(webhookProblem({ secret, body: hook.body, timestamp: hook.headers[webhookHeaders.timestamp] as string, signature: hook.headers[webhookHeaders.signature] as string })).toBeNull();
    expect(hook.headers[webhookHeaders.event]).toBe('alert.firing');
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'alert.firing', rule: 'reports-late', kind: 'queue-age', subject: 'reports', text: expect.stringMatching(/oldest ready job has waited 6m/) });

    await claimJobs(engine, { workerId: 'w', queues: ['reports'], limit: 1, now: t + 6 * minuteMs, leaseMs: 60_000 });
    const cleared = await check(t + 7 * minuteMs);
    expect(cleared).toMatchObject([{ rule: 'reports-late', firing: false, subject: 'reports' }]);
    await deliver(cleared);
    expect(JSON.parse(receiver.received[1].body)).toMatchObject({ event: 'alert.resolved', subject: 'reports' });
  });

  it('no-worker: ready jobs and no live worker for their queue emails the team; a worker for it clears the alert', async () => {
    await addRule({ name: 'imports-unserved', kind: 'no-worker', queue: 'imports', notify: 'email:ops@example.com' });
    const t = Date.now();
    await enqueueJobs(engine, [job({ name: 'import', queue: 'imports', runAt: t })], t);
    await registerWorker(engine, { id: 'w-other', host: 'h', pid: 1, queues: ['other'], concurrency: 1, jobNames: [], now: t });
    const fired = await check(t);
    expect(fired).toMatchObject([{ rule: 'imports-unserved', firing: true, subject: 'imports' }]);
    await deliver(fired);
    expect(smtp.received.map((m) => m.to)).toEqual([['ops@example.com']]);
    const mail = await simpleParser(smtp.received[0].raw);
    expect(mail.subject).toMatch(/^\[FIRING\] alert imports-unserved \(no-worker\): queue imports: 1 job\(s\) ready, 0 live worker\(s\)/);

    await registerWorker(engine, { id: 'w-imports', host: 'h', pid: 2, queues: ['imports', 'other'], concurrency: 1, jobNames: [], now: t });
    const cleared = await check(t + 1_000);
    expect(cleared).toMatchObject([{ rule: 'imports-unserved', firing: false, subject: 'imports' }]);
    await deliver(cleared);
    expect((await simpleParser(smtp.received[1].raw)).subject).toMatch(/^\[RESOLVED\] alert imports-unserved/);
  });

  it('schedule-missed: fires skipped by the poller (misfire skip) fire the alert; a window with no miss clears it', async () => {
    await addRule({ name: 'nightly-missed', kind: 'schedule-missed', schedule: 'nightly', window: '10m', notify: `slack:${receiver.origin}/slack` });
    const t = Date.now();
    await addSchedule(engine, { name: 'nightly', jobName: 'demo', cron: '* * * * *', timezone: 'UTC', params: '{}', description: null, misfire: 'skip' }, t - 10 * minuteMs, t);
    const poller = new CronPoller({ engine, config: getConfig(), registry, log: { info() {}, error() {} }, now: () => t });
    await poller.tick(t);
    expect((await readScheduleMisses(engine, 'nightly'))[0]).toMatchObject({ lastMissedAt: t });
    const fired = await check(t + minuteMs);
    expect(fired).toMatchObject([{ rule: 'nightly-missed', firing: true, subject: 'nightly' }]);
    await deliver(fired);
    expect(slackTexts()).toEqual([expect.stringMatching(/^\[FIRING\] alert nightly-missed \(schedule-missed\): schedule nightly: missed a run/)]);
    expect(await check(t + 5 * minuteMs)).toEqual([]);
    const cleared = await check(t + 11 * minuteMs);
    expect(cleared).toMatchObject([{ firing: false, subject: 'nightly' }]);
    await deliver(cleared);
    expect(slackTexts()[1]).toMatch(/^\[RESOLVED\] alert nightly-missed/);
  });

  it('job-failed: a job that failed all its attempts fires once for its name, not again within the window, then clears', async () => {
    await addRule({ name: 'sync-failed', kind: 'job-failed', queue: 'sync', window: '5m', notify: `slack:${receiver.origin}/slack` });
    await ended('sync-users', 'sync', 1, 0);
    const fired = await check(Date.now());
    expect(fired).toMatchObject([{ rule: 'sync-failed', firing: true, subject: 'sync-users' }]);
    await ended('sync-users', 'sync', 1, 0);
    await ended('sync-teams', 'sync', 1, 0);
    const second = await check(Date.now());
    expect(second).toMatchObject([{ firing: true, subject: 'sync-teams' }]); // a new name fires on its own; sync-users again does not
    await deliver([...fired, ...second]);
    expect(slackTexts()).toEqual([
      expect.stringMatching(/^\[FIRING\] alert sync-failed \(job-failed\): job sync-users: 1 job\(s\) failed all their attempts/),
      expect.stringMatching(/^\[FIRING\] alert sync-failed \(job-failed\): job sync-teams: 1 job\(s\)/),
    ]);
    const cleared = await check(Date.now() + 7 * minuteMs);
    expect(cleared.map((c) => [c.subject, c.firing, c.message]).sort()).toEqual([
      ['sync-teams', false, 'job sync-teams: no job failed in the last 5m 0s'], ['sync-users', false, 'job sync-users: no job failed in the last 5m 0s'],
    ]);
  });
});

describe('a rule that cannot be notified', () => {
  it('is reported by name and does not keep the other rules from firing', async () => {
    const bad = parseAlertRule({ name: 'aa-bad', kind: 'no-worker', queue: 'stranded', notify: `webhook:${receiver.origin}/${'x'.repeat(9_000)}` });
    await addAlertRule(engine, bad, Date.now()); // past the CLI's check, as an older build or a hand edit may leave it
    await addRule({ name: 'zz-good', kind: 'no-worker', queue: 'stranded', notify: `slack:${receiver.origin}/slack` });
    const t = Date.now();
    await enqueueJobs(engine, [job({ name: 'strand', queue: 'stranded', runAt: t })], t);
    const { notified, failed } = await checkAlerts(engine, getConfig(), registry, t);
    expect(notified).toMatchObject([{ rule: 'zz-good', firing: true }]);
    expect(failed).toEqual([{ rule: 'aa-bad', message: expect.stringMatching(/url/) }]);
  });
});

describe('several checkers at once', () => {
  it('two checkers racing on the same rule notify each start and each clear exactly once', async () => {
    const { openEngine } = await import('@/db/client');
    const other = await openEngine(db.url);
    try {
      await addRule({ name: 'race', kind: 'queue-age', queue: 'race', threshold: '1m', notify: `slack:${receiver.origin}/slack` });
      const t = Date.now();
      const otherCheck = async (now: number) => (await checkAlerts(other, getConfig(), registry, now)).notified;
      const notified: NotifiedChange[] = [];
      for (let round = 0; round < 5; round++) {
        const at = t + round * 10 * minuteMs;
        await enqueueJobs(engine, [job({ name: 'racer', queue: 'race', runAt: at })], at);
        notified.push(...(await Promise.all([check(at + 2 * minuteMs), otherCheck(at + 2 * minuteMs)])).flat());
        await claimJobs(engine, { workerId: 'w', queues: ['race'], limit: 1, now: at + 3 * minuteMs, leaseMs: 60_000 });
        notified.push(...(await Promise.all([check(at + 4 * minuteMs), otherCheck(at + 4 * minuteMs)])).flat());
      }
      expect(notified.map((n) => n.firing)).toEqual([true, false, true, false, true, false, true, false, true, false]);
      const jobs = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE name = 'http-request' AND title LIKE 'alert race:%'`);
      expect(Number(jobs[0].n)).toBe(10);
    } finally {
      await other.close();
    }
  });
});
