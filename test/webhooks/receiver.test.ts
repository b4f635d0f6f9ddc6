import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { startHttpServer, type ReceivedRequest, type TestHttpServer } from '../helpers/http-server';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { webhookHeaders, webhookProblem } from '@/core/webhook-signature';
import { getEngine } from '@/db/client';
import { DemoJob } from '@/jobs';
import { cancelJob } from '@/store/admin';
import { getJob } from '@/store/queries';

const secret = 'receiver-test-webhook-secret-0123';
let receiver: TestHttpServer;
const env = () => ({
  DATABASE_URL: db.url, JOBS_WEBHOOK_URL: `${receiver.origin}/hooks`, JOBS_WEBHOOK_SECRET: secret,
  JOBS_POLL_INTERVAL_MS: '50', JOBS_LEASE_MS: '6000',
});
const db = useTempDatabase();

beforeAll(async () => {
  receiver = await startHttpServer();
});
afterAll(async () => {
  await receiver?.close();
});

const problemOf = (r: ReceivedRequest) => webhookProblem({
  secret, body: r.body, timestamp: r.headers[webhookHeaders.timestamp] as string, signature: r.headers[webhookHeaders.signature] as string,
});

/**
 * Jobs run by a real worker process with JOBS_WEBHOOK_URL set: a receiver on
 * 127.0.0.1 checks every delivery's signature, as the README's code does.
 */
describe('webhook deliveries to a real receiver', () => {
  it('a completed, a failed and a cancelled job each arrive once, signed; a 500 is retried; a changed body fails the check', async () => {
    let refused = 0;
    receiver.handle = (request, response) => {
      // The first delivery of the completed job is answered 500: it must come again.
      const body = JSON.parse(request.body);
      if (body.event === 'job.completed' && refused === 0) {
        refused += 1;
        response.statusCode = 500;
        return response.end('try later');
      }
      response.end('ok');
    };
    const worker = spawnWorker(env());
    try {
      await worker.waitForOutput('started');
      const completed = await DemoJob.later({ steps: 1, delayMs: 1, message: 'hello' });
      const failed = await DemoJob.later({ steps: 1, delayMs: 1, failTimes: 5 }, { maxAttempts: 1 });
      const cancelled = await DemoJob.later({ steps: 1, delayMs: 1 }, { delay: '1h' });
      await cancelJob(await getEngine(), cancelled, Date.now());

      const events = () => receiver.received.map((r) => JSON.parse(r.body).event as string);
      await waitFor(() => events().filter((e) => e === 'job.completed').length === 2 && events().includes('job.failed') && events().includes('job.cancelled'),
        'the three deliveries, the refused one again', 60_000);
      const all = receiver.received;
      expect(all.map(problemOf)).toEqual(all.map(() => null));
      expect(all.every((r) => r.method === 'POST' && r.url === '/hooks' && r.headers['content-type'] === 'application/json')).toBe(true);

      const byJob = new Map<string, { event: string; job: { state: string; result: unknown; error: unknown }; id: string }[]>();
      for (const r of all) {
        const body = JSON.parse(r.body);
        expect(r.headers[webhookHeaders.event]).toBe(body.event);
        expect(r.headers[webhookHeaders.delivery]).toBe(body.id);
        byJob.set(body.job.id, [...(byJob.get(body.job.id) ?? []), body]);
      }
      // The completed job's delivery came twice (500, then ok), with one delivery id and one body.
      const twice = byJob.get(completed)!;
      expect(twice).toHaveLength(2);
      expect(twice[0]).toEqual(twice[1]);
      expect(twice[0]).toMatchObject({ event: 'job.completed', job: { state: 'completed', result: { steps: 1, attempt: 1, message: 'hello' } } });
      expect(byJob.get(failed)).toMatchObject([{ event: 'job.failed', job: { state: 'failed' } }]);
      expect(byJob.get(cancelled)).toMatchObject([{ event: 'job.cancelled', job: { state: 'cancelled' } }]);

      // Each delivery is a job of the webhooks queue, and the retried one completed on its second attempt.
      const delivery = (await getJob(await getEngine(), twice[0].id))!;
      expect(delivery).toMatchObject({ name: 'http-request', queue: 'webhooks', state: 'completed', attempts: 2 });

      const genuine = all[0];
      expect(problemOf({ ...genuine, body: genuine.body.replace('"state":', '"state" :') })).toBe('signature does not match');
    } finally {
      await stopProcess(worker);
    }
  });

  it('a delivery whose worker is killed mid-send is sent by the next worker: nothing is lost', async () => {
    const before = receiver.received.length;
    // The receiver holds the first request open: the worker dies while it waits.
    let held = 0;
    receiver.handle = (request, response) => {
      if (held++ === 0) return; // never answered
      response.end('ok');
    };
    const first = spawnWorker(env());
    await first.waitForOutput('started');
    const id = await DemoJob.later({ steps: 1, delayMs: 1 });
    await waitFor(() => receiver.received.length > before, 'the first try of the delivery', 30_000);
    await stopProcess(first, 'SIGKILL');

    const next = spawnWorker(env());
    try {
      await next.waitForOutput('started');
      // Its lease runs out (JOBS_LEASE_MS), a reaper gives it back, and it is sent again.
      const sent = await waitFor(() => receiver.received.slice(before + 1).find((r) => JSON.parse(r.body).job.id === id), 'the delivery from the next worker', 60_000);
      expect(problemOf(sent)).toBeNull();
      expect(JSON.parse(sent.body)).toMatchObject({ event: 'job.completed', job: { id, state: 'completed' } });
    } finally {
      await stopProcess(next);
    }
  });
});
