import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { parseScrape, type Scrape } from '../helpers/prometheus';
import { adminToken, apiEnv, call, readonlyToken } from './api-client';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

// GET /api/metrics on a real next start, scraped as Prometheus does, over jobs a worker in another process ran.
const db = useTempDatabase();
const metricsToken = 'metrics-token-for-the-api-e2e-tests';
let server: NextServer;
let env: Record<string, string>;
const queue = 'metrics-e2e';

beforeAll(async () => {
  env = { ...apiEnv(db.file), JOBS_METRICS_TOKEN: metricsToken, LOG_FORMAT: 'json' };
  await ensureBuilt();
  server = await startNextServer(env);
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

async function scrape(token: string | null = metricsToken): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${server.url}/api/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function scraped(token?: string): Promise<Scrape> {
  const answer = await scrape(token);
  expect(answer.status).toBe(200);
  return parseScrape(answer.text);
}

const processed = (s: Scrape, outcome: string) => s.value('fluent_jobs_processed_total', { queue, name: 'demo', outcome }) ?? 0;
const runs = (s: Scrape) => s.histogram('fluent_jobs_run_duration_seconds', { queue, name: 'demo' })?.count ?? 0;

describe('GET /api/metrics', () => {
  it('answers the metrics token in Prometheus text, never cached, with the web process\'s own metrics', async () => {
    const answer = await scrape();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const s = parseScrape(answer.text);
    expect(s.type('fluent_jobs_workers_alive')).toBe('GAUGE');
    expect(s.type('process_cpu_user_seconds_total')).toBe('COUNTER');
    expect(s.type('nodejs_eventloop_lag_seconds')).toBe('GAUGE');
  });

  it('finds the counters moved by exactly the jobs a worker in another process ran', async () => {
    const before = await scraped();
    const worker = spawnWorker({ ...env, JOBS_QUEUES: queue, JOBS_POLL_INTERVAL_MS: '50' });
    const enqueue = async (params: Record<string, unknown>, maxAttempts = 3) => {
      const answer = await call(server, 'POST', '/api/jobs', { name: 'demo', queue, params, maxAttempts });
      expect(answer.status).toBe(201);
      return answer.body.id as string;
    };
    const ids = [
      await enqueue({ steps: 1, delayMs: 1 }), await enqueue({ steps: 0, delayMs: 0 }), await enqueue({ steps: 0, delayMs: 0, failTimes: 1 }),
      await enqueue({ steps: 0, delayMs: 0, failTimes: 9 }, 1),
    ];
    await waitFor(async () => {
      for (const id of ids) if (!['completed', 'failed'].includes((await call(server, 'GET', `/api/jobs/${id}`)).body.state)) return false;
      return true;
    }, 'the jobs to end');
    const during = await scraped();
    expect(during.value('fluent_jobs_workers_alive')).toBe(1);
    expect(await stopProcess(worker)).toBe(0);
    const after = await scraped(adminToken);

    expect(processed(after, 'completed') - processed(before, 'completed')).toBe(3);
    expect(processed(after, 'failed') - processed(before, 'failed')).toBe(1);
    expect(processed(after, 'cancelled') - processed(before, 'cancelled')).toBe(0);
    expect((after.value('fluent_jobs_retries_total', { queue, name: 'demo' }) ?? 0) - (before.value('fluent_jobs_retries_total', { queue, name: 'demo' }) ?? 0)).toBe(1);
    expect(runs(after) - runs(before)).toBe(3);
    expect(after.value('fluent_jobs_queue_jobs', { queue, state: 'completed' })).toBe(3);
    expect(after.value('fluent_jobs_queue_jobs', { queue, state: 'pending', waiting: 'ready' })).toBe(0);
    expect(after.value('fluent_jobs_workers_alive')).toBe(0);
  });

  it('answers either token too, and 401 without a token or with a wrong one', async () => {
    await scraped(adminToken);
    await scraped(readonlyToken);
    for (const token of [null, 'not-a-token-of-this-server']) {
      const answer = await scrape(token);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text).error.code).toBe('unauthorized');
    }
  });

  it('refuses the metrics token everywhere else with 403, reads and changes alike', async () => {
    for (const [method, p, body] of [['GET', '/api/stats'], ['GET', '/api/jobs'], ['GET', '/api/workers'], ['POST', '/api/jobs', { name: 'demo' }]] as const) {
      const answer = await call(server, method, p, body, metricsToken);
      expect([method, p, answer.status, answer.body.error?.code]).toEqual([method, p, 403, 'forbidden']);
      expect(answer.body.error.message).toMatch(/JOBS_METRICS_TOKEN/);
    }
    expect((await call(server, 'GET', '/api/jobs?queue=nothing-here', undefined, adminToken)).body.jobs).toEqual([]); // the refused POST stored nothing
  });

  it('runs in a web process whose log lines, with LOG_FORMAT=json, are JSON objects from the moment the app is loaded', () => {
    const lines = server.output().split('\n').filter(Boolean);
    // Next.js' own start-up banner comes before the app is loaded (src/instrumentation.ts), as plain text; nothing after it.
    const first = lines.findIndex((line) => line.startsWith('{'));
    expect(JSON.parse(lines[first])).toMatchObject({ level: 'info', process: 'web', event: 'web.started', pid: expect.any(Number) });
    for (const line of lines.slice(first)) {
      expect(JSON.parse(line), line).toMatchObject({ time: expect.stringMatching(/Z$/), level: expect.any(String), process: 'web', event: expect.any(String), message: expect.any(String) });
    }
    expect(lines.slice(0, first).join('\n')).toMatch(/Next\.js/);
  });
});
