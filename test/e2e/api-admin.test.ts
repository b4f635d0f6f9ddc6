import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { adminToken, call, readonlyToken, startApiServer } from './api-client';
import type { NextServer } from './next-app';

// Queues, workers, schedules and who may change what, on a real next start with its own SQLite file.
const db = useTempDatabase();
let env: Record<string, string>;
let server: NextServer;
const api = <T = any>(method: string, p: string, body?: unknown, token?: string | null) => call<T>(server, method, p, body, token);
const lastActivity = async () => (await api('GET', '/api/activity?limit=1')).body.activity[0];

beforeAll(async () => {
  ({ env, server } = await startApiServer(db.file));
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

describe('queues', () => {
  it('pauses and resumes a queue, sets and lifts its rate limit, and lists it; each change logged as admin', async () => {
    await api('POST', '/api/jobs', { name: 'demo', queue: 'mail' });
    const paused = await api('POST', '/api/queues/mail/pause');
    expect([paused.status, paused.body]).toEqual([200, expect.objectContaining({ queue: 'mail', paused: true, pending: 1, parked: 1 })]);
    expect(await lastActivity()).toMatchObject({ who: 'admin', action: 'queue.pause', target: 'mail' });
    const listed = await api('GET', '/api/queues', undefined, readonlyToken);
    expect(listed.body.queues).toEqual([{ queue: 'mail', paused: true, pending: 1, running: 0, rateLimit: null }]);
    const resumed = await api('POST', '/api/queues/mail/resume');
    expect(resumed.body).toMatchObject({ paused: false, resumed: 1 });

    const limited = await api('PUT', '/api/queues/mail/rate-limit', { rate: '100/1m' });
    expect([limited.status, limited.body.rateLimit]).toEqual([200, { max: 100, durationMs: 60_000, rate: '100/1m' }]);
    expect((await api('PUT', '/api/queues/mail/rate-limit', { max: 5, duration: '1s' })).body.rateLimit.rate).toBe('5/1s');
    expect(await lastActivity()).toMatchObject({ who: 'admin', action: 'queue.rate_limit.set', details: { rate: '5/1s' } });
    expect((await api('DELETE', '/api/queues/mail/rate-limit')).body.rateLimit).toBeNull();
    const none = await api('DELETE', '/api/queues/mail/rate-limit');
    expect([none.status, none.body.error.code]).toEqual([404, 'not_found']);
  });

  it('answers 400 for a bad rate or queue name', async () => {
    for (const [method, p, body] of [['PUT', '/api/queues/mail/rate-limit', { rate: 'lots' }], ['PUT', '/api/queues/mail/rate-limit', { max: 0, duration: '1m' }], ['POST', '/api/queues/bad%20name/pause', undefined]] as const) {
      const answer = await api(method, p, body);
      expect([p, answer.status, answer.body.error.code]).toEqual([p, 400, 'bad_request']);
    }
  });
});

describe('workers', () => {
  it('lists a worker process as alive while it runs, and stopped once it stopped', async () => {
    const worker = spawnWorker({ ...env, JOBS_QUEUES: 'w1,w2' });
    let id: string;
    try {
      const alive = await waitFor(async () => (await api('GET', '/api/workers', undefined, readonlyToken)).body.workers.find((w: { pid: number }) => w.pid === worker.child.pid), 'the worker to register');
      expect(alive).toMatchObject({ status: 'alive', queues: ['w1', 'w2'], stoppedAt: null });
      id = alive.id;
    } finally {
      await stopProcess(worker);
    }
    const { body } = await api('GET', '/api/workers');
    expect(body.workers.find((w: { id: string }) => w.id === id)).toMatchObject({ status: 'stopped' });
  });
});

describe('schedules', () => {
  it('adds, lists, disables, enables, runs and removes a schedule', async () => {
    const added = await api('POST', '/api/schedules', { name: 'nightly', job: 'DemoJob', cron: '0 2 * * *', timezone: 'Europe/Paris', params: { steps: 1 }, description: 'a demo' });
    expect([added.status, added.body]).toEqual([201, expect.objectContaining({ name: 'nightly', job: 'demo', enabled: true, timezone: 'Europe/Paris', params: { steps: 1 } })]);
    expect(added.body.nextRunAt).toMatch(/Z$/);
    expect((await api('GET', '/api/schedules', undefined, readonlyToken)).body.schedules.map((s: { name: string }) => s.name)).toContain('nightly');
    const disabled = await api('PATCH', '/api/schedules/nightly', { enabled: false });
    expect([disabled.status, disabled.body.enabled]).toEqual([200, false]);
    expect((await api('PATCH', '/api/schedules/nightly', { enabled: true })).body.enabled).toBe(true);
    const run = await api('POST', '/api/schedules/nightly/run');
    expect([run.status, run.body.schedule, run.body.name]).toEqual([201, 'nightly', 'demo']);
    expect((await api('GET', '/api/schedules/nightly')).body.runs.total).toBe(1);
    expect(await lastActivity()).toMatchObject({ who: 'admin', action: 'schedule.run', target: 'nightly', jobIds: [run.body.id] });
    expect((await api('DELETE', '/api/schedules/nightly')).body).toEqual({ removed: 'nightly' });
    expect((await api('GET', '/api/schedules/nightly')).status).toBe(404);
  });

  it('answers 400 for a bad cron, timezone, job or body, 409 for a taken name, 404 for an unknown schedule', async () => {
    const good = { name: 'twice', job: 'demo', cron: '*/5 * * * *' };
    expect((await api('POST', '/api/schedules', good)).status).toBe(201);
    expect((await api('POST', '/api/schedules', good)).status).toBe(409);
    for (const body of [{ ...good, name: 'b1', cron: 'every day' }, { ...good, name: 'b2', timezone: 'Mars/Olympus' }, { ...good, name: 'b3', job: 'nope' }, { name: 'b4' }, { ...good, name: 'b5', enabled: 1 }]) {
      const answer = await api('POST', '/api/schedules', body);
      expect([body.name, answer.status]).toEqual([body.name, 400]);
    }
    expect((await api('PATCH', '/api/schedules/twice', { cron: '* * * * *' })).status).toBe(400);
    for (const [method, p] of [['PATCH', '/api/schedules/ghost'], ['DELETE', '/api/schedules/ghost'], ['POST', '/api/schedules/ghost/run']] as const) {
      const answer = await api(method, p, method === 'PATCH' ? { enabled: false } : undefined);
      expect([p, answer.status, answer.body.error.code]).toEqual([p, 404, 'not_found']);
    }
  });
});

describe('who may change what', () => {
  // Every changing endpoint, with a body that would be accepted from the admin token.
  const changes: [string, string, unknown][] = [
    ['POST', '/api/jobs', { name: 'demo' }],
    ['POST', '/api/jobs/019a885b/retry', undefined],
    ['POST', '/api/jobs/019a885b/cancel', undefined],
    ['PATCH', '/api/jobs/019a885b/cancel', undefined],
    ['POST', '/api/jobs/bulk', { action: 'retry', filter: { state: 'failed' } }],
    ['POST', '/api/queues/auth/pause', undefined],
    ['POST', '/api/queues/auth/resume', undefined],
    ['PUT', '/api/queues/auth/rate-limit', { rate: '1/1s' }],
    ['DELETE', '/api/queues/auth/rate-limit', undefined],
    ['POST', '/api/schedules', { name: 'auth', job: 'demo', cron: '0 * * * *' }],
    ['PATCH', '/api/schedules/auth', { enabled: false }],
    ['DELETE', '/api/schedules/auth', undefined],
    ['POST', '/api/schedules/auth/run', undefined],
  ];

  it('refuses every change with no token (401), a wrong token (401) and the read-only token (403), and logs none of them', async () => {
    const before = (await api('GET', '/api/activity?limit=1')).body.activity[0]?.id ?? 0;
    for (const [i, [method, p, body]] of changes.entries()) {
      for (const [token, status, code] of [[null, 401, 'unauthorized'], [`${adminToken}-wrong`, 401, 'unauthorized'], [readonlyToken, 403, 'forbidden']] as const) {
        // Each wrong token from its own client (as a proxy in front names it): one client's failures are spaced out on purpose.
        const answer = await call(server, method, p, body, token, { 'x-forwarded-for': `10.0.0.${i + 1}` });
        expect([method, p, token === null ? 'none' : token, answer.status, answer.body.error?.code, answer.headers.get('cache-control')])
          .toEqual([method, p, token === null ? 'none' : token, status, code, 'no-store']);
      }
    }
    expect((await api('GET', '/api/activity?limit=1')).body.activity[0]?.id ?? 0).toBe(before);
    expect((await api('GET', '/api/jobs?limit=500')).body.jobs.filter((j: { queue: string }) => j.queue === 'auth')).toEqual([]);
  });

  it('refuses every read without a token (401) and answers it for the read-only token', async () => {
    for (const p of ['/api/jobs', '/api/jobs/019a885b', '/api/queues', '/api/workers', '/api/schedules']) {
      expect([p, (await api('GET', p, undefined, null)).status]).toEqual([p, 401]);
      expect([p, (await api('GET', p, undefined, readonlyToken)).status]).not.toEqual([p, 401]);
    }
  });
});
