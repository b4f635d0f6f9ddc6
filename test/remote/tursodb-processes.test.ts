import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobsCli, spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { parseScrape } from '../helpers/prometheus';
import { tursodbMissing, useTursodbDatabase } from '../helpers/tursodb';
import { adminToken, call, readonlyToken } from '../e2e/api-client';
import { ensureBuilt, startNextServer, type NextServer } from '../e2e/next-app';

// The whole cycle on `tursodb --sync-server`, through the test-only Hrana bridge as an HTTP server
// on 127.0.0.1 (test/helpers/tursodb.ts says what it translates): a real next start, bin/jobs and a
// worker process, each reaching the database only by DATABASE_URL. The file is migrated by
// better-sqlite3 before tursodb opens it (tursodb 0.6 cannot run migration 0005's CREATE INDEX on a
// WITHOUT ROWID table); from then on only tursodb touches it.
describe.skipIf(!!tursodbMissing)(`the API, bin/jobs and a worker on tursodb --sync-server${tursodbMissing}`, () => {
  const db = useTursodbDatabase();
  const metricsToken = 'metrics-token-for-the-tursodb-test';
  let server: NextServer;
  const env = () => ({
    DATABASE_URL: db.url, JOBS_ADMIN_TOKEN: adminToken, JOBS_READONLY_TOKEN: readonlyToken,
    JOBS_METRICS_TOKEN: metricsToken, JOBS_POLL_INTERVAL_MS: '100',
  });
  beforeAll(async () => {
    await ensureBuilt();
    server = await startNextServer(env());
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('enqueues by the API and by bin/jobs, dedupes a key, and a worker runs the jobs to completed', async () => {
    const byApi = await call(server, 'POST', '/api/jobs', { name: 'demo', params: { steps: 2, delayMs: 1 } });
    expect(byApi.status, server.output()).toBe(201);
    const keyed = await call(server, 'POST', '/api/jobs', { name: 'demo', params: { steps: 1 }, idempotencyKey: 'turso-1' });
    const again = await call(server, 'POST', '/api/jobs', { name: 'demo', params: { steps: 1 }, idempotencyKey: 'turso-1' });
    expect(again.body.id).toBe(keyed.body.id);

    const cli = await runJobsCli(['enqueue', 'demo', '--params', '{"steps":1}'], env());
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const cliId = cli.stdout.match(/enqueued demo (\S+)/)![1];

    const worker = spawnWorker({ ...env(), JOBS_CONCURRENCY: '2' });
    try {
      await worker.waitForOutput(/started \(remote database: no doorbell or checkpointer, which need a local file; polls every 100 ms\)/, 30_000);
      for (const id of [byApi.body.id, keyed.body.id, cliId]) {
        await waitFor(async () => (await call(server, 'GET', `/api/jobs/${id}`, undefined, readonlyToken)).body.state === 'completed', `job ${id} completed`, 60_000, 200);
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}; the worker wrote:\n${worker.output()}`);
    } finally {
      await stopProcess(worker);
    }

    const status = await runJobsCli(['status', cliId, '--json'], env());
    expect(JSON.parse(status.stdout)).toMatchObject({ id: cliId, state: 'completed', attempts: 1 });
    const list = await call(server, 'GET', '/api/jobs?state=completed', undefined, readonlyToken);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain(cliId);
  }, 180_000);

  it('serves /api/metrics from the database: the jobs the worker process ran are counted', async () => {
    const response = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(response.status).toBe(200);
    const scrape = parseScrape(await response.text());
    expect(scrape.value('fluent_jobs_processed_total', { queue: 'default', name: 'demo', outcome: 'completed' })).toBe(3);
  });
});
