import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '@/config/env';
import { listenDoorbell, type RingKind } from '@/db/doorbell';
import { registry } from '@/jobs';
import { codeSchedules } from '@/lib/jobs/schedule-spec';
import { syncCodeSchedules } from '@/store/cron';
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
    for (const [method, p] of [['PATCH', '/api/schedules/ghost'], ['DELETE', '/api/schedules/ghost'], ['POST', '/api/schedules/ghost/run']] as const) {
      const answer = await api(method, p, method === 'PATCH' ? { enabled: false } : undefined);
      expect([p, answer.status, answer.body.error.code]).toEqual([p, 404, 'not_found']);
    }
  });
});

describe('PATCH /api/schedules/:name', () => {
  it('changes an operator schedule\'s cron, timezone, params, description and misfire, moves its next run to the new timing, rings the pollers and logs what changed', async () => {
    expect((await api('POST', '/api/schedules', { name: 'editable', job: 'demo', cron: '0 2 * * *', params: { steps: 1 }, description: 'before' })).status).toBe(201);
    const rings: RingKind[] = [];
    const doorbell = await listenDoorbell(db.file, `api-admin-test-${process.pid}`, (kinds) => rings.push(...kinds));
    let edited;
    try {
      edited = await api('PATCH', '/api/schedules/editable', { cron: '30 4 * * *', timezone: 'Asia/Tokyo', params: { steps: 2 }, description: 'after', misfire: 'run-once' });
      expect([edited.status, edited.body]).toEqual([200, expect.objectContaining({
        name: 'editable', job: 'demo', cron: '30 4 * * *', timezone: 'Asia/Tokyo', params: { steps: 2 }, description: 'after', misfire: 'run-once', enabled: true, source: 'operator',
      })]);
      expect(edited.body.nextRunAt).toMatch(/T19:30:00\.000Z$/); // 04:30 in Tokyo
      await waitFor(() => rings.includes('schedules'), 'the pollers\' doorbell to ring');
    } finally {
      await doorbell.close();
    }
    expect(await lastActivity()).toEqual(expect.objectContaining({
      who: 'admin', action: 'schedule.update', target: 'editable',
      details: { changed: ['cron', 'timezone', 'misfire', 'params', 'description'], cron: '30 4 * * *', timezone: 'Asia/Tokyo', misfire: 'run-once' },
    }));

    const cleared = await api('PATCH', '/api/schedules/editable', { description: null, params: {} });
    expect([cleared.status, cleared.body.description, cleared.body.params, cleared.body.nextRunAt]).toEqual([200, null, {}, edited.body.nextRunAt]);
    const paused = await api('PATCH', '/api/schedules/editable', { enabled: false, cron: '0 * * * *' });
    expect([paused.status, paused.body.enabled, paused.body.cron]).toEqual([200, false, '0 * * * *']);
    expect(paused.body.nextRunAt).toMatch(/T\d\d:00:00\.000Z$/);
  });

  it('answers 400 with what is wrong for a bad cron, timezone, misfire, params, field or an empty change, and changes nothing', async () => {
    expect((await api('POST', '/api/schedules', { name: 'steady', job: 'demo', cron: '0 2 * * *', timezone: 'Europe/Paris' })).status).toBe(201);
    const before = (await api('GET', '/api/schedules/steady')).body;
    const cases: [unknown, string, RegExp][] = [
      [{ cron: 'every day' }, 'bad_request', /^Invalid cron expression "every day": it needs 5 fields/],
      [{ cron: '61 * * * *' }, 'bad_request', /^Invalid cron expression "61 \* \* \* \*"/],
      [{ timezone: 'Mars/Olympus' }, 'bad_request', /^Unknown timezone "Mars\/Olympus": use an IANA name/],
      [{ cron: '0 3 * * *', timezone: 'Mars/Olympus' }, 'bad_request', /^Unknown timezone "Mars\/Olympus"/],
      [{ misfire: 'never' }, 'bad_request', /^misfire: /],
      [{ params: { steps: 'many' } }, 'invalid_params', /^Invalid params for demo: params.steps/],
      [{ job: 'cleanup' }, 'bad_request', /Unrecognized key/],
      [{}, 'bad_request', /^Nothing to change: give enabled, cron, timezone, params, description, misfire$/],
    ];
    for (const [body, code, message] of cases) {
      const answer = await api('PATCH', '/api/schedules/steady', body);
      expect([body, answer.status, answer.body.error.code, answer.body.error.message]).toEqual([body, 400, code, expect.stringMatching(message)]);
      expect(Object.keys(answer.body.error).sort()).toEqual(['code', 'message']); // never a stack
    }
    expect((await api('GET', '/api/schedules/steady')).body).toEqual(before);
    const ghost = await api('PATCH', '/api/schedules/ghost', { cron: '0 3 * * *' });
    expect([ghost.status, ghost.body.error.code]).toEqual([404, 'not_found']);
  });

  it('a schedule declared in code may only be enabled or disabled: a new cron answers 409 saying it is declared in code, and nothing changes', async () => {
    const engine = await db.engine();
    await syncCodeSchedules(engine, codeSchedules(registry, getConfig(), Date.now()), Date.now()); // what a poller does at start
    const before = (await api('GET', '/api/schedules/cleanup')).body;
    expect(before).toMatchObject({ source: 'code', cron: '0 * * * *', enabled: true });
    const lastBefore = (await lastActivity()).id;
    for (const body of [{ cron: '*/5 * * * *' }, { enabled: false, params: { completedOlderThan: '1h' } }, { description: 'mine now' }]) {
      const refused = await api('PATCH', '/api/schedules/cleanup', body);
      expect([body, refused.status, refused.body.error.code]).toEqual([body, 409, 'conflict']);
      expect(refused.body.error.message).toMatch(/^Schedule "cleanup" is declared in code \(the static schedule of the cleanup job\): change its .+ there; here it may only be enabled or disabled$/);
    }
    expect((await api('GET', '/api/schedules/cleanup')).body).toEqual(before);
    expect((await lastActivity()).id).toBe(lastBefore);
    const disabled = await api('PATCH', '/api/schedules/cleanup', { enabled: false });
    expect([disabled.status, disabled.body.enabled, disabled.body.cron]).toEqual([200, false, '0 * * * *']);
    expect(await lastActivity()).toMatchObject({ who: 'admin', action: 'schedule.disable', target: 'cleanup' });
    expect((await api('PATCH', '/api/schedules/cleanup', { enabled: true })).body.enabled).toBe(true);
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
