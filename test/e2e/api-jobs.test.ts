import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '@/config/env';
import { DemoJob } from '@/jobs';
import { buildNewJob } from '@/lib/jobs/job-spec';
import { storeNewJobs } from '@/lib/jobs/enqueue';
import type { NewJob } from '@/store/enqueue';
import { useTempDatabase } from '../helpers/db';
import { runJobsCli, spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { call, readonlyToken, startApiServer } from './api-client';
import type { NextServer } from './next-app';

// A real next start on this file's own migrated SQLite file, real workers and bin/jobs beside it.
const db = useTempDatabase();
let env: Record<string, string>;
let server: NextServer;
const api = <T = any>(method: string, p: string, body?: unknown, token?: string | null) => call<T>(server, method, p, body, token);

/** Jobs written through the store in this process (the same file the server reads), e.g. params no class schema allows. */
async function seed(count: number, params: (i: number) => Record<string, unknown>, options: { queue?: string; maxAttempts?: number } = {}): Promise<string[]> {
  const now = Date.now();
  const rows: NewJob[] = Array.from({ length: count }, (_, i) => ({
    ...buildNewJob(DemoJob, {}, { queue: options.queue, maxAttempts: options.maxAttempts }, getConfig(), now),
    params: JSON.stringify(params(i)),
  }));
  return storeNewJobs(await db.engine(), rows, now);
}

/** Runs a worker on `queue` until nothing there is due (bin/jobs worker --drain). */
async function drain(queue: string): Promise<void> {
  const run = await runJobsCli(['worker', '--queue', queue, '--drain'], env);
  expect(run.code, run.stderr).toBe(0);
}

beforeAll(async () => {
  ({ env, server } = await startApiServer(db.file));
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

describe('POST /api/jobs', () => {
  it('enqueues a job: 201 with the job in its one JSON shape, no-store, and an action-log entry naming admin', async () => {
    const created = await api('POST', '/api/jobs', { name: 'DemoJob', params: { steps: 1, delayMs: 0 }, queue: 'enqueue', priority: 'high', delay: '5m' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({ name: 'demo', queue: 'enqueue', state: 'pending', label: 'scheduled', priority: 5, params: { steps: 1, delayMs: 0 }, attempts: 0, dependsOn: [] });
    const { body } = await api('GET', '/api/activity?limit=10');
    expect(body.activity[0]).toMatchObject({ who: 'admin', action: 'job.enqueue', jobIds: [created.body.id] });
  });

  it('answers 400 for a body that is not JSON, a bad field, an unknown job name or params its schema refuses, 413 for params over the limit, 404 for an unknown dependsOn', async () => {
    const cases: [unknown, number, string][] = [
      ['{not json', 400, 'bad_request'],
      [{ params: {} }, 400, 'bad_request'],
      [{ name: 'demo', priority: 'urgent' }, 400, 'bad_request'],
      [{ name: 'demo', surprise: true }, 400, 'bad_request'],
      [{ name: 'no-such-job' }, 400, 'unknown_job'],
      [{ name: 'demo', params: { steps: 'many' } }, 400, 'invalid_params'],
      [{ name: 'demo', params: { message: 'x'.repeat(300 * 1024) } }, 413, 'params_too_large'], // measured as params
      [{ name: 'demo', params: { message: 'x'.repeat(1024 * 1024) } }, 413, 'params_too_large'], // refused before it is read
      [{ name: 'demo', dependsOn: ['ffffffff'] }, 404, 'not_found'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await api('POST', '/api/jobs', body);
      expect([answer.status, answer.body.error?.code]).toEqual([status, code]);
      expect(Object.keys(answer.body.error).sort()).toEqual(['code', 'message']); // never a stack
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('returns the live job, with 200, when its idempotencyKey is taken; dependsOn takes a prefix and blocks the job', async () => {
    const first = await api('POST', '/api/jobs', { name: 'demo', queue: 'idem', idempotencyKey: 'welcome-7', delay: 60_000 });
    const again = await api('POST', '/api/jobs', { name: 'demo', queue: 'idem', idempotencyKey: 'welcome-7' });
    expect([first.status, again.status, again.body.id, again.body.idempotencyKey]).toEqual([201, 200, first.body.id, 'welcome-7']);
    const child = await api('POST', '/api/jobs', { name: 'demo', queue: 'idem', dependsOn: [first.body.id.slice(0, 8) + '…' + first.body.id.slice(-4)] });
    expect([child.status, child.body.label, child.body.dependsOn]).toEqual([201, 'blocked', [first.body.id]]);
  });

  it('takes the legacy shapes: nself {type, queue, payload, options} and NestJS {type, name, description, data, priority, maxAttempts}', async () => {
    const nself = await api('POST', '/api/jobs', { type: 'demo', queue: 'legacy', payload: { steps: 2 }, options: { priority: 5, maxRetries: 2, delay: 60_000 } });
    expect(nself.status).toBe(201);
    expect(nself.body).toMatchObject({ name: 'demo', queue: 'legacy', params: { steps: 2 }, priority: 5, maxAttempts: 3, label: 'scheduled' });
    const nest = await api('POST', '/api/jobs', { type: 'demo', name: 'Nightly demo', description: 'tries things', data: { steps: 3 }, priority: -5, maxAttempts: 4 });
    expect(nest.status).toBe(201);
    expect(nest.body).toMatchObject({ name: 'demo', params: { steps: 3 }, priority: -5, maxAttempts: 4 });
  });

  it('keeps the NestJS body\'s name and description as the job\'s title and description, in the 201 and in GET /api/jobs/:id', async () => {
    const nest = await api('POST', '/api/jobs', { type: 'demo', name: 'Nightly demo', description: 'tries things', data: { steps: 3 } });
    expect([nest.status, nest.body.name, nest.body.title, nest.body.description]).toEqual([201, 'demo', 'Nightly demo', 'tries things']);
    const shown = await api('GET', `/api/jobs/${nest.body.id}`, undefined, readonlyToken);
    expect([shown.status, shown.body.title, shown.body.description]).toEqual([200, 'Nightly demo', 'tries things']);
    const ours = await api('POST', '/api/jobs', { name: 'demo', title: 'Ours too', description: 'our shape takes them as title and description' });
    expect([ours.status, ours.body.title, ours.body.description]).toEqual([201, 'Ours too', 'our shape takes them as title and description']);
    const untitled = await api('POST', '/api/jobs', { type: 'demo', data: {} });
    expect([untitled.body.title, untitled.body.description]).toEqual([null, null]);
  });

  it('answers 400 naming the field for a title over 200 characters or a description over 2,000, in either shape', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'demo', name: 'n'.repeat(201) }, /^name: the job's title is at most 200 characters$/],
      [{ type: 'demo', description: 'd'.repeat(2_001) }, /^description: the job's description is at most 2000 characters$/],
      [{ name: 'demo', title: 't'.repeat(201) }, /^title: the job's title is at most 200 characters$/],
      [{ name: 'demo', description: 'd'.repeat(2_001) }, /^description: the job's description is at most 2000 characters$/],
    ];
    for (const [body, message] of cases) {
      const answer = await api('POST', '/api/jobs', body);
      expect([answer.status, answer.body.error.code, answer.body.error.message]).toEqual([400, 'bad_request', expect.stringMatching(message)]);
    }
    const exactly = await api('POST', '/api/jobs', { type: 'demo', name: 'n'.repeat(200), description: 'd'.repeat(2_000) });
    expect([exactly.status, exactly.body.title.length, exactly.body.description.length]).toEqual([201, 200, 2_000]);
  });
});

describe('GET /api/jobs', () => {
  it('pages newest first with an opaque cursor that stays stable while jobs are added; limit is 1 to 500', async () => {
    const ids = await seed(7, (i) => ({ steps: i }), { queue: 'pages' });
    const first = await api('GET', '/api/jobs?queue=pages&limit=3');
    expect(first.body.jobs.map((j: { id: string }) => j.id)).toEqual(ids.slice(-3).reverse());
    await seed(5, () => ({}), { queue: 'pages' }); // newer jobs arrive between pages
    const second = await api('GET', `/api/jobs?queue=pages&limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.jobs.map((j: { id: string }) => j.id)).toEqual(ids.slice(1, 4).reverse());
    const third = await api('GET', `/api/jobs?queue=pages&limit=3&cursor=${second.body.nextCursor}`);
    expect(third.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[0]]);
    expect(third.body.nextCursor).toBeNull();
    for (const query of ['limit=501', 'limit=0', 'cursor=not-ours', 'state=stuck', 'offset=10001', 'bogus=1']) {
      const bad = await api('GET', `/api/jobs?${query}`);
      expect([query, bad.status, bad.body.error.code]).toEqual([query, 400, 'bad_request']);
    }
  });

  it('pages a terminal state newest finished first with a cursor of its own while more jobs fail between pages; a cursor of the other order is a 400; bin/jobs list --status lists the same order', async () => {
    const failing = () => ({ steps: 0, delayMs: 0, failTimes: 1 });
    const ids = (answer: { body: { jobs: { id: string }[] } }) => answer.body.jobs.map((j) => j.id);
    const list = '/api/jobs?state=failed&queue=failed-pages';
    await seed(5, failing, { queue: 'failed-pages', maxAttempts: 1 });
    await drain('failed-pages');
    const before = (await api('GET', `${list}&limit=10`)).body.jobs as { id: string; completedAt: string }[];
    const finishOrder = [...before].sort((a, b) => (a.completedAt === b.completedAt ? (a.id < b.id ? 1 : -1) : a.completedAt < b.completedAt ? 1 : -1)).map((j) => j.id);
    expect([before.length, before.map((j) => j.id)]).toEqual([5, finishOrder]);

    const first = await api('GET', `${list}&limit=2`);
    await seed(2, failing, { queue: 'failed-pages', maxAttempts: 1 }); // newer failures arrive between pages
    await drain('failed-pages');
    const second = await api('GET', `${list}&limit=2&cursor=${first.body.nextCursor}`);
    const third = await api('GET', `${list}&limit=2&cursor=${second.body.nextCursor}`);
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(finishOrder);
    expect(third.body.nextCursor).toBeNull();

    const byCreation = await api('GET', '/api/jobs?queue=failed-pages&limit=1');
    for (const query of [`${list}&cursor=${byCreation.body.nextCursor}`, `/api/jobs?state=pending&cursor=${first.body.nextCursor}`, `/api/jobs?cursor=${first.body.nextCursor}`]) {
      const wrong = await api('GET', query);
      expect([query, wrong.status, wrong.body.error.code]).toEqual([query, 400, 'bad_request']);
    }

    const now = await api('GET', `${list}&limit=10`);
    expect(ids(now).slice(2)).toEqual(finishOrder); // the two later failures lead
    const cli = await runJobsCli(['list', '--status', 'failed', '--queue', 'failed-pages', '--json'], env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).map((j: { id: string }) => j.id)).toEqual(ids(now));
  });

  it('takes the NestJS query: type, status, limit and offset', async () => {
    const ids = await seed(4, () => ({}), { queue: 'nest-list' });
    const page = await api('GET', '/api/jobs?type=DemoJob&status=pending&queue=nest-list&limit=2&offset=1');
    expect(page.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
  });

  it('param.<path>= filters on params, nested keys and numbers too, and says it searched the newest 100,000 jobs; bin/jobs list --param finds the same', async () => {
    const ids = await seed(3, (i) => ({ tenant: { id: 40 + i, region: i === 1 ? 'eu' : 'us' } }), { queue: 'params' });
    const byRegion = await api('GET', '/api/jobs?param.tenant.region=eu');
    expect([byRegion.body.jobs.map((j: { id: string }) => j.id), byRegion.body.paramSearchLimit]).toEqual([[ids[1]], 100_000]);
    const byNumber = await api('GET', '/api/jobs?param.tenant.id=42&queue=params');
    expect(byNumber.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2]]);
    expect((await api('GET', '/api/jobs?param.tenant.id=99')).body.jobs).toEqual([]);
    const masked = await api('GET', '/api/jobs?param.account.apiKey=sk');
    expect([masked.status, masked.body.error.code]).toEqual([400, 'bad_request']);

    const cli = await runJobsCli(['list', '--param', 'tenant.region=eu', '--json'], env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).map((j: { id: string }) => j.id)).toEqual([ids[1]]);
    const table = await runJobsCli(['list', '--param', 'tenant.id=40', '--queue', 'params'], env);
    expect(table.stdout).toContain(ids[0].slice(-4));
    expect(table.stdout).not.toContain(ids[1].slice(-4));
  });

  it('masks a nested apiKey in the list and in the detail', async () => {
    const [id] = await seed(1, () => ({ account: { name: 'acme', apiKey: 'sk-live-very-secret' } }), { queue: 'redact' });
    const list = await api('GET', '/api/jobs?queue=redact');
    const detail = await api('GET', `/api/jobs/${id}`);
    for (const job of [list.body.jobs[0], detail.body]) expect(job.params).toEqual({ account: { name: 'acme', apiKey: '[redacted]' } });
    expect(JSON.stringify(list.body) + JSON.stringify(detail.body)).not.toContain('sk-live-very-secret');
  });
});

describe('GET /api/jobs/:id', () => {
  it('finds a job by id, unique prefix, short form or tail, with its attempt and progress history from a real worker', async () => {
    const created = await api('POST', '/api/jobs', { name: 'demo', queue: 'detail', params: { steps: 2, delayMs: 0 } });
    const id: string = created.body.id;
    await drain('detail');
    for (const typed of [id, id.slice(0, 23), `${id.slice(0, 8)}…${id.slice(-4)}`, `${id.slice(0, 8)}...${id.slice(-4)}`, id.slice(-12)]) {
      const { status, body } = await api('GET', `/api/jobs/${encodeURIComponent(typed)}`, undefined, readonlyToken);
      expect([typed, status, body.id, body.state]).toEqual([typed, 200, id, 'completed']);
    }
    const { body } = await api('GET', `/api/jobs/${id}`);
    expect(body.attemptHistory).toMatchObject([{ attempt: 1, outcome: 'completed' }]);
    expect(body.progressHistory.map((p: { percent: number }) => p.percent)).toEqual([50, 100]);
    expect(body.result).toEqual({ steps: 2, attempt: 1, message: null });
  });

  it('answers 404 for no match, 400 for text that cannot name a job, and 409 with the matches for an ambiguous prefix', async () => {
    const missing = await api('GET', '/api/jobs/ffffffff-0000');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
    const bad = await api('GET', '/api/jobs/xyz!');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'bad_request']);
    const ids = await seed(2, () => ({}), { queue: 'ambiguous' });
    const shared = ids[0].slice(0, 4);
    const ambiguous = await api('GET', `/api/jobs/${shared}`);
    expect([ambiguous.status, ambiguous.body.error.code]).toEqual([409, 'ambiguous_id']);
  });
});

describe('retry and cancel', () => {
  it('retries a failed job to pending, and answers 409 for a job that is not failed or cancelled', async () => {
    const [id] = await seed(1, () => ({ failTimes: 5, delayMs: 0, steps: 0 }), { queue: 'retry-one', maxAttempts: 1 });
    await drain('retry-one');
    expect((await api('GET', `/api/jobs/${id}`)).body.state).toBe('failed');
    const retried = await api('POST', `/api/jobs/${id.slice(0, 8)}…${id.slice(-4)}/retry`);
    expect([retried.status, retried.body.state, retried.body.attemptHistory.length]).toEqual([200, 'pending', 1]);
    const again = await api('POST', `/api/jobs/${id}/retry`);
    expect([again.status, again.body.error.code]).toEqual([409, 'conflict']);
    expect((await api('POST', '/api/jobs/ffffffff-0000/retry')).status).toBe(404);
  });

  it('cancels a pending job at once, a running one through its worker in another process, and answers 409 once it ended (POST, and the NestJS PATCH)', async () => {
    const pending = await api('POST', '/api/jobs', { name: 'demo', queue: 'cancel', delay: '1h' });
    const cancelled = await api('PATCH', `/api/jobs/${pending.body.id}/cancel`);
    expect([cancelled.status, cancelled.body.result, cancelled.body.job.state]).toEqual([200, 'cancelled', 'cancelled']);
    const ended = await api('POST', `/api/jobs/${pending.body.id}/cancel`);
    expect([ended.status, ended.body.error.code]).toEqual([409, 'conflict']);

    const long = await api('POST', '/api/jobs', { name: 'demo', queue: 'cancel-running', params: { steps: 1000, delayMs: 50 } });
    const worker = spawnWorker({ ...env, JOBS_QUEUES: 'cancel-running' });
    try {
      await waitFor(async () => (await api('GET', `/api/jobs/${long.body.id}`)).body.state === 'running', 'the worker to start the job');
      const asked = await api('POST', `/api/jobs/${long.body.id}/cancel`);
      expect([asked.status, asked.body.result]).toEqual([200, 'cancelling']);
      await waitFor(async () => (await api('GET', `/api/jobs/${long.body.id}`)).body.state === 'cancelled', 'the worker to stop the job');
    } finally {
      await stopProcess(worker);
    }
  });
});

describe('POST /api/jobs/bulk', () => {
  it('retries 200 failed jobs matched by a filter: a dry run counts them first and changes nothing', async () => {
    await seed(200, (i) => ({ failTimes: 5, delayMs: 0, steps: 0, message: `bulk ${i}` }), { queue: 'bulk', maxAttempts: 1 });
    await drain('bulk');
    const dry = await api('POST', '/api/jobs/bulk', { action: 'retry', filter: { state: 'failed', queue: 'bulk' }, dryRun: true });
    expect([dry.status, dry.body]).toEqual([200, { matched: 200 }]);
    expect((await api('GET', '/api/jobs?queue=bulk&state=failed&limit=500')).body.jobs).toHaveLength(200);
    const done = await api('POST', '/api/jobs/bulk', { action: 'retry', filter: { queue: 'bulk' } });
    expect([done.status, done.body]).toEqual([200, { done: 200 }]);
    expect((await api('GET', '/api/jobs?queue=bulk&state=pending&limit=500')).body.jobs).toHaveLength(200);
    const { body } = await api('GET', '/api/activity?limit=5');
    expect(body.activity[0]).toMatchObject({ who: 'admin', action: 'job.retry', jobCount: 200 });
    expect(body.activity[0].jobIds).toHaveLength(200);
  });

  it('cancels by ids (prefixes too), and deletes only finished jobs', async () => {
    const ids = await seed(3, () => ({}), { queue: 'bulk-cancel' });
    const cancel = await api('POST', '/api/jobs/bulk', { action: 'cancel', ids: [ids[0], `${ids[1].slice(0, 8)}…${ids[1].slice(-4)}`] });
    expect(cancel.body).toEqual({ done: 2 });
    const dry = await api('POST', '/api/jobs/bulk', { action: 'delete', filter: { queue: 'bulk-cancel' }, dryRun: true });
    expect(dry.body).toEqual({ matched: 2 });
    const deleted = await api('POST', '/api/jobs/bulk', { action: 'delete', ids });
    expect(deleted.body).toEqual({ done: 2 });
    expect((await api('GET', '/api/jobs?queue=bulk-cancel')).body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[2]]);
    expect((await api('GET', `/api/jobs/${ids[0]}`)).status).toBe(404);
  });

  it('answers 400 for a bad action, both or neither of ids and filter, or a state the action cannot apply to', async () => {
    for (const body of [
      { action: 'explode', ids: ['019a'] },
      { action: 'retry' },
      { action: 'retry', ids: ['019a'], filter: {} },
      { action: 'delete', filter: { state: 'running' } },
    ]) {
      const answer = await api('POST', '/api/jobs/bulk', body);
      expect([JSON.stringify(body), answer.status, answer.body.error.code]).toEqual([JSON.stringify(body), 400, 'bad_request']);
    }
  });
});

describe('legacy paths', () => {
  // GET /api/jobs/stats has its own tests, with GET /api/stats (api-stats.test.ts).
  it('GET /health and GET /ready answer like /api/health and /api/ready, without a token', async () => {
    expect(await api('GET', '/health', undefined, null)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api('GET', '/ready', undefined, null)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});
