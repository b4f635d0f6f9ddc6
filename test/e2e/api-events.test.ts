import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '@/config/env';
import { DemoJob } from '@/jobs';
import { buildNewJob } from '@/lib/jobs/job-spec';
import { storeNewJobs } from '@/lib/jobs/enqueue';
import { readChanges } from '@/store/changes';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess } from '../helpers/processes';
import { adminToken, call, readonlyToken, startApiServer } from './api-client';
import type { NextServer } from './next-app';
import { SseClient } from './sse-client';

// A real next start on this file's own SQLite file; the jobs run in real worker processes beside it.
const db = useTempDatabase();
let env: Record<string, string>;
let server: NextServer;
const api = <T = any>(method: string, p: string, body?: unknown, token?: string | null) => call<T>(server, method, p, body, token);
const open = (p: string, options: { token?: string | null; lastEventId?: string } = {}) =>
  SseClient.open(server, p, { token: options.token === null ? undefined : (options.token ?? adminToken), lastEventId: options.lastEventId });
const enqueue = async (body: Record<string, unknown>) => {
  const created = await api('POST', '/api/jobs', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
};

beforeAll(async () => {
  ({ env, server } = await startApiServer(db.file));
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

describe('GET /api/jobs/:id/events', () => {
  it('streams a demo job run by a worker in another process: the job, its start, each step of progress and its completion, then ends', async () => {
    const id = await enqueue({ name: 'demo', params: { steps: 4, delayMs: 150 }, queue: 'sse-demo' });
    const stream = await open(`/api/jobs/${id.slice(0, 13)}/events`); // a prefix names the job too
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    await stream.waitFor((events) => events.length > 0, 'the opening message');
    expect(stream.events[0]).toMatchObject({ event: 'job', data: { id, state: 'pending', progress: { percent: 0 } } });

    const worker = spawnWorker({ ...env, JOBS_QUEUES: 'sse-demo' });
    try {
      await stream.ends();
    } finally {
      await stopProcess(worker);
    }
    const types = stream.events.slice(1).map((e) => e.event);
    expect(types[0]).toBe('job.started');
    expect(types.at(-1)).toBe('job.completed');
    const percents = stream.events.filter((e) => e.event === 'job.progress').map((e) => e.data.job.progress.percent as number);
    expect(percents.length).toBeGreaterThanOrEqual(1); // the worker buffers reports: at least one gets through on its own
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const last = stream.events.at(-1)!;
    expect(last.data).toMatchObject({ type: 'job.completed', job: { id, state: 'completed', label: 'completed', progress: { percent: 100 }, result: { steps: 4, attempt: 1 } } });
    const ids = stream.events.slice(1).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('masks a nested apiKey in the job it streams', async () => {
    const now = Date.now();
    const [id] = await storeNewJobs(await db.engine(), [{
      ...buildNewJob(DemoJob, {}, { queue: 'sse-never-run' }, getConfig(), now),
      params: JSON.stringify({ steps: 1, vendor: { name: 'acme', apiKey: 'sk-live-secret' } }),
    }], now);
    const stream = await open(`/api/jobs/${id}/events`);
    await stream.waitFor((events) => events.length > 0, 'the opening message');
    expect(stream.events[0].data.params).toEqual({ steps: 1, vendor: { name: 'acme', apiKey: '[redacted]' } });
    await api('POST', `/api/jobs/${id}/cancel`);
    await stream.ends();
    expect(stream.events.at(-1)).toMatchObject({ event: 'job.cancelled', data: { job: { state: 'cancelled', params: { vendor: { apiKey: '[redacted]' } } } } });
    expect(JSON.stringify(stream.events)).not.toContain('sk-live-secret');
  });

  it('answers an ended job with one message and ends; resumed after its end, 204 so EventSource stops reconnecting', async () => {
    const id = await enqueue({ name: 'demo', params: { steps: 1 }, queue: 'sse-never-run' });
    await api('POST', `/api/jobs/${id}/cancel`);
    const stream = await open(`/api/jobs/${id}/events`);
    await stream.ends();
    expect(stream.events.map((e) => [e.event, e.data.state])).toEqual([['job', 'cancelled']]);
    const resumed = await open(`/api/jobs/${id}/events`, { lastEventId: stream.lastEventId()! });
    expect(resumed.status).toBe(204);
    await resumed.close();
  });

  it('answers 401 without a token, 404 for no such job and 400 for a Last-Event-ID that is not an id', async () => {
    const id = await enqueue({ name: 'demo', params: { steps: 1 }, queue: 'sse-never-run' });
    expect((await api('GET', `/api/jobs/${id}/events`, undefined, null)).status).toBe(401);
    expect((await api('GET', '/api/jobs/ffffffff-ffff-7fff-bfff-ffffffffffff/events')).status).toBe(404);
    const bad = await call(server, 'GET', `/api/jobs/${id}/events`, undefined, adminToken, { 'last-event-id': 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_request');
  });
});

describe('GET /api/events', () => {
  it('resumes after a disconnect with Last-Event-ID: every change made meanwhile, in order, none twice, none missing', async () => {
    const first = await open('/api/events?queue=sse-resume', { token: readonlyToken });
    expect(first.status).toBe(200);
    await first.waitFor((events) => events.some((e) => e.event === 'ready'), 'the ready message');
    const a = await enqueue({ name: 'demo', params: { steps: 1 }, queue: 'sse-resume' });
    await first.waitFor((events) => events.some((e) => e.data.job?.id === a), 'the enqueue of a');
    const seenUpTo = first.lastEventId()!;
    await first.close();

    // While nobody listens: two more jobs, one cancelled, and changes in another queue the filter leaves out.
    const b = await enqueue({ name: 'demo', params: { steps: 1 }, queue: 'sse-resume' });
    await enqueue({ name: 'demo', params: { steps: 1 }, queue: 'sse-elsewhere' });
    const c = await enqueue({ name: 'demo', params: { steps: 1 }, queue: 'sse-resume', delay: '1h' });
    await api('POST', `/api/jobs/${a}/cancel`);

    const expected = (await readChanges(await db.engine(), Number(seenUpTo), 1_000)).filter((change) => change.queue === 'sse-resume');
    expect(expected.map((change) => [change.jobId, change.kind])).toEqual([[b, 'enqueued'], [c, 'scheduled'], [a, 'cancelled']]);
    const resumed = await open('/api/events?queue=sse-resume', { lastEventId: seenUpTo });
    const events = await resumed.waitFor((got) => got.filter((e) => e.event.startsWith('job.')).length >= 3, 'the missed changes');
    await resumed.close();
    expect(events[0]).toMatchObject({ event: 'ready', id: seenUpTo });
    expect(events.slice(1).map((e) => [e.id, e.event, e.data.job.id, e.data.job.label])).toEqual([
      [String(expected[0].id), 'job.enqueued', b, 'pending'],
      [String(expected[1].id), 'job.scheduled', c, 'scheduled'],
      [String(expected[2].id), 'job.cancelled', a, 'cancelled'],
    ]);
  });

  it('tells a client whose place was pruned to reload (reset), and answers 401 without a token', async () => {
    const stream = await open('/api/events', { lastEventId: '999999999' });
    await stream.waitFor((events) => events.length > 0, 'the first message');
    await stream.close();
    expect(stream.events[0].event).toBe('reset');
    expect((await api('GET', '/api/events', undefined, null)).status).toBe(401);
  });
});
