import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob } from '@/store/finish';
import { newJobId, shortJobId } from '@/core/ids';
import { useTempDatabase } from '../helpers/db';
import { adminToken, call, readonlyToken, startApiServer } from './api-client';
import type { NextServer } from './next-app';

// GET /api/stats and its NestJS name GET /api/jobs/stats on a real next start, over jobs written through the store.
const db = useTempDatabase();
let server: NextServer;
const get = (p: string, token: string | null = readonlyToken) => call(server, 'GET', p, undefined, token);
const minuteMs = 60_000;
const finishedAt = Math.floor(Date.now() / minuteMs) * minuteMs - 5 * minuteMs;
const waiting = newJobId();

beforeAll(async () => {
  const engine = await db.engine();
  const row = (id: string, runAt: number): NewJob => ({ id, name: 'demo', queue: 'stats-e2e', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt, idempotencyKey: null });
  const [ok, bad] = [newJobId(), newJobId()];
  await enqueueJobs(engine, [row(ok, finishedAt), row(bad, finishedAt)], finishedAt);
  await claimJobs(engine, { workerId: 'w', queues: ['stats-e2e'], limit: 2, now: finishedAt, leaseMs: 60_000 });
  await completeJob(engine, { jobId: ok, workerId: 'w', attempt: 1 }, { result: null, now: finishedAt + 20, logs: [] });
  await endJob(engine, { jobId: bad, workerId: 'w', attempt: 1 }, { state: 'failed', outcome: 'failed', error: { message: 'x', name: 'Error' }, now: finishedAt + 30, logs: [] });
  await enqueueJobs(engine, [row(waiting, finishedAt)], finishedAt);
  ({ server } = await startApiServer(db.file));
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

/** The parts of an answer that do not move with the clock between two requests. */
const steady = ({ generatedAt, window, queues, ...rest }: any) => ({ ...rest, queues: queues.map(({ oldestReady, ...q }: any) => ({ ...q, oldestReady: oldestReady && { ...oldestReady, ageMs: 0 } })) });

describe('GET /api/stats', () => {
  it('answers the read-only token with counts, throughput, failure rate and run times, never cached', async () => {
    const answer = await get('/api/stats');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const stats = answer.body;
    expect(stats.window.hours).toBe(24);
    expect(Date.parse(stats.generatedAt)).toBeGreaterThan(finishedAt);
    expect(stats.counts).toEqual({ total: 3, pending: 1, running: 0, completed: 1, failed: 1, cancelled: 0, waiting: { ready: 1, scheduled: 0, paused: 0, blocked: 0, throttled: 0 } });
    expect(stats.queues).toEqual([{
      queue: 'stats-e2e', counts: stats.counts, paused: false, rateLimit: null,
      oldestReady: { id: waiting, shortId: shortJobId(waiting), since: new Date(finishedAt).toISOString(), ageMs: expect.any(Number) },
    }]);
    expect(stats.queues[0].oldestReady.ageMs).toBeGreaterThanOrEqual(5 * minuteMs - 1_000);
    expect(stats.throughput).toEqual([{ minute: new Date(finishedAt).toISOString(), completed: 1, failed: 1, cancelled: 0, retried: 0 }]);
    expect(stats.totals).toMatchObject({ completed: 1, failed: 1, cancelled: 0, retried: 0, failureRate: 0.5 });
    expect(stats.names).toEqual([{ name: 'demo', completed: 1, failed: 1, cancelled: 0, retried: 0, failureRate: 0.5, runTimeMs: { samples: 1, mean: 20, p50: 17.5, p95: 24.3, p99: 24.9 } }]);
    expect(stats.runTimeBucketsMs[0]).toBe(1);
  });

  it('takes ?queue= and ?hours=, and the admin token too', async () => {
    const answer = await get('/api/stats?queue=elsewhere&hours=168', adminToken);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ queue: 'elsewhere', window: { hours: 168 }, throughput: [], names: [], counts: { total: 0 } });
    expect(answer.body.queues.map((q: { queue: string }) => q.queue)).toEqual(['elsewhere']);
  });

  it('answers 400 for hours that are not a whole number from 1 to 168, or a queue name that cannot be one', async () => {
    for (const query of ['hours=0', 'hours=abc', 'hours=169', 'hours=1.5', 'hours=', 'queue=bad%20name']) {
      const answer = await get(`/api/stats?${query}`);
      expect([query, answer.status, answer.body.error?.code]).toEqual([query, 400, 'bad_request']);
      expect(JSON.stringify(answer.body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack
    }
    expect((await get('/api/stats?hours=abc')).body.error.message).toBe('hours: must be a whole number from 1 to 168');
  });

  it('answers 401 without a token or with a wrong one', async () => {
    for (const token of [null, 'not-a-token-of-this-server']) {
      const answer = await get('/api/stats', token);
      expect([answer.status, answer.body.error.code]).toEqual([401, 'unauthorized']);
    }
  });
});

describe('GET /api/jobs/stats (the NestJS service\'s path)', () => {
  it('answers what GET /api/stats does, with the same checks', async () => {
    const [nest, ours] = [await get('/api/jobs/stats?hours=2'), await get('/api/stats?hours=2')];
    expect(nest.status).toBe(200);
    expect(nest.headers.get('cache-control')).toBe('no-store');
    expect(steady(nest.body)).toEqual(steady(ours.body));
    expect(nest.body.window.hours).toBe(2);
    expect((await get('/api/jobs/stats', null)).status).toBe(401);
    expect((await get('/api/jobs/stats?hours=0')).status).toBe(400);
  });
});
