import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { getConfig, parseConfig } from '@/config/env';
import { webhookHeaders, webhookProblem } from '@/core/webhook-signature';
import { getEngine } from '@/db/client';
import { createJob, JobRegistry } from '@/lib/jobs';
import { jobJson } from '@/lib/jobs/json';
import { webhookParams, webhookRequest } from '@/lib/webhooks/delivery';
import { syncWebhooks, webhookTargetsOf } from '@/lib/webhooks/sync';
import { cancelJob } from '@/store/admin';
import { claimJobs } from '@/store/claim';
import { completeJob, endJob } from '@/store/finish';
import { getJob } from '@/store/queries';
import { listWebhookTargets } from '@/store/webhooks';

const secret = 'a-webhook-secret-of-some-length';
useTempDatabase({ JOBS_WEBHOOK_URL: 'http://127.0.0.1:9/all', JOBS_WEBHOOK_SECRET: secret });

const Reported = createJob('reported', async (params: { n: number; password?: string }) => params.n);
const FailuresOnly = createJob('failures-only', async () => 1);
(FailuresOnly as { webhook?: unknown }).webhook = { url: 'http://127.0.0.1:9/failures', on: ['failed'] };
const Quiet = createJob('quiet', async () => 1, { queue: 'webhooks' });
const registry = new JobRegistry([Reported, FailuresOnly, Quiet]);

async function deliveries() {
  const engine = await getEngine();
  return engine.all<{ id: string; params: string; queue: string; state: string; title: string; max_attempts: number }>(
    `SELECT id, params, queue, state, title, max_attempts FROM jobs WHERE name = 'http-request' ORDER BY id`,
  );
}

/** Claims the one due job and ends it with `end`; returns its id. */
async function runAndEnd(id: string, end: 'completed' | 'failed') {
  const engine = await getEngine();
  const [job] = await claimJobs(engine, { workerId: 'w-hooks', queues: ['default'], limit: 1, now: Date.now(), leaseMs: 30_000 });
  expect(job.id).toBe(id);
  const owner = { jobId: id, workerId: 'w-hooks', attempt: job.attempts };
  if (end === 'completed') await completeJob(engine, owner, { result: JSON.stringify({ ok: true }), now: Date.now(), logs: [] });
  else await endJob(engine, owner, { state: 'failed', outcome: 'failed', error: { name: 'Error', message: 'boom 42' }, now: Date.now(), logs: [] });
}

/**
 * A job's end and its webhook deliveries are one write: the jobs_webhooks
 * trigger inserts them in the transaction of the end, so no crash between
 * the two can lose a delivery, whichever process ended the job.
 */
describe('webhook deliveries', () => {
  it('are inserted with the end of a job, one per matching target, carrying the ended row', async () => {
    const engine = await getEngine();
    await syncWebhooks(engine, registry, getConfig());
    expect(await listWebhookTargets(engine)).toEqual([
      { jobName: '*', url: 'http://127.0.0.1:9/all', source: 'env', on: ['completed', 'failed', 'cancelled'] },
      { jobName: 'failures-only', url: 'http://127.0.0.1:9/failures', source: 'code', on: ['failed'] },
    ]);

    const id = await Reported.later({ n: 7, password: 'hunter2' });
    expect(await deliveries()).toEqual([]);
    await runAndEnd(id, 'completed');
    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ queue: 'webhooks', state: 'pending', title: 'webhook: job.completed of reported', max_attempts: 10 });
    expect(delivery.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const params = JSON.parse(delivery.params);
    expect(params).toMatchObject({ method: 'POST', url: 'http://127.0.0.1:9/all' });
    const webhook = webhookParams.parse(params.webhook);
    expect(webhook.event).toBe('job.completed');

    // The copy holds every column of the row as it ended, under JobRow's names.
    const ended = (await getJob(engine, id))!;
    expect(Object.keys(webhook.job).sort()).toEqual(Object.keys(ended).sort());
    const { body, headers } = await webhookRequest(engine, getConfig(), delivery.id, webhook);
    const sent = JSON.parse(body);
    expect(sent).toMatchObject({ id: delivery.id, event: 'job.completed' });
    expect(sent.job).toEqual(jobJson(ended, [], { now: webhook.at, redactKeys: getConfig().redactKeys }));
    expect(sent.job.params).toEqual({ n: 7, password: '[redacted]' });
    expect(sent.job.result).toEqual({ ok: true });

    // A receiver holding the secret accepts it; a changed body, another secret or an old timestamp is refused.
    const check = { secret, body, timestamp: headers[webhookHeaders.timestamp], signature: headers[webhookHeaders.signature] };
    expect(webhookProblem(check)).toBeNull();
    expect(webhookProblem({ ...check, body: body.replace('"n":7', '"n":8') })).toBe('signature does not match');
    expect(webhookProblem({ ...check, secret: 'another-secret-of-some-length' })).toBe('signature does not match');
    expect(webhookProblem({ ...check, nowSec: Number(check.timestamp) + 301 })).toMatch(/replay/);
  });

  it('follow each target\'s ends: a failure reaches both targets, a completion of that job only the global one', async () => {
    const before = (await deliveries()).length;
    const completed = await FailuresOnly.later({});
    await runAndEnd(completed, 'completed');
    expect((await deliveries()).length).toBe(before + 1);
    const failed = await FailuresOnly.later({});
    await runAndEnd(failed, 'failed');
    const added = (await deliveries()).slice(before + 1).map((d) => JSON.parse(d.params));
    expect(added.map((p) => p.url).sort()).toEqual(['http://127.0.0.1:9/all', 'http://127.0.0.1:9/failures']);
    expect(added.every((p) => p.webhook.event === 'job.failed' && p.webhook.job.error === 'boom 42')).toBe(true);
  });

  it('follow a cancel from outside a worker too, and never a job of the webhooks queue (no chains)', async () => {
    const engine = await getEngine();
    const before = (await deliveries()).length;
    const id = await Reported.later({ n: 1 });
    await cancelJob(engine, id, Date.now());
    const after = await deliveries();
    expect(after.length).toBe(before + 1);
    expect(JSON.parse(after.at(-1)!.params).webhook).toMatchObject({ event: 'job.cancelled', job: { id, state: 'cancelled' } });

    const quiet = await Quiet.later({});
    await cancelJob(engine, quiet, Date.now());
    expect((await deliveries()).length).toBe(before + 1);
  });

  it('stop when the process that set them starts without them', async () => {
    const engine = await getEngine();
    await syncWebhooks(engine, new JobRegistry([Reported]), { ...getConfig(), webhookUrl: undefined });
    // The global one is gone; failures-only's stays, since this process does not know that job.
    expect((await listWebhookTargets(engine)).map((t) => t.jobName)).toEqual(['failures-only']);
    const before = (await deliveries()).length;
    await runAndEnd(await Reported.later({ n: 2 }), 'completed');
    expect((await deliveries()).length).toBe(before);
  });

  it('need a signing secret: a webhook without JOBS_WEBHOOK_SECRET is a config error', () => {
    const config = { ...getConfig(), webhookSecret: undefined };
    expect(() => webhookTargetsOf(registry, config)).toThrow(/JOBS_WEBHOOK_URL is set but JOBS_WEBHOOK_SECRET is not/);
    expect(() => webhookTargetsOf(new JobRegistry([FailuresOnly]), { ...config, webhookUrl: undefined })).toThrow(/job "failures-only" has a webhook/);
    expect(() => parseConfig({ ...process.env, JOBS_WEBHOOK_URL: 'ftp://x' })).toThrow(/JOBS_WEBHOOK_URL must be an http/);
  });
});
