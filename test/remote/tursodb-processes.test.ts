import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { runJobsCli, spawnProcess } from '../helpers/processes';
import { findTursodb, startHranaBridgeServer, startTursodb } from '../helpers/tursodb';
import { newJobId } from '@/core/ids';
import { openFileEngine } from '@/db/file-engine';
import { migrate } from '@/db/migrate';
import { enqueueJobs } from '@/store/enqueue';

// A worker process and bin/jobs against `tursodb --sync-server`, through the test-only Hrana bridge
// as an HTTP server on 127.0.0.1 (test/helpers/tursodb.ts says what it translates). tursodb 0.6
// cannot apply our migrations nor run the enqueue's upsert (test/remote/tursodb-store.test.ts), so
// the file is migrated and the job enqueued by better-sqlite3 before tursodb opens it; from then
// on only tursodb touches it. What tursodb's SQL cannot do yet is asserted, so that these tests
// say when a newer tursodb can run the whole cycle.
const tursodb = findTursodb();
const why = tursodb ? '' : ' (skipped: tursodb not installed; npm install turso in $TURSO_CLI_DIR, default /tmp/turso-cli, or set TURSODB)';

describe.skipIf(!tursodb)(`a worker and bin/jobs on tursodb --sync-server${why}`, () => {
  const dir = makeTempDir();
  const jobId = newJobId();
  let server: Awaited<ReturnType<typeof startTursodb>>;
  let bridge: Awaited<ReturnType<typeof startHranaBridgeServer>>;
  beforeAll(async () => {
    const file = path.join(dir, 'jobs.db');
    const local = openFileEngine(file, 5000);
    await migrate(local);
    const now = Date.now();
    await enqueueJobs(local, [{ id: jobId, name: 'demo', queue: 'default', priority: 0, params: '{"steps":2,"delayMs":1}', maxAttempts: 1, backoff: null, timeoutMs: 30_000, runAt: now, idempotencyKey: null }], now);
    await local.close();
    server = await startTursodb(tursodb!, file);
    bridge = await startHranaBridgeServer(server.url);
  });
  afterAll(async () => {
    await bridge?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const env = () => ({ DATABASE_URL: bridge.url, JOBS_POLL_INTERVAL_MS: '200' });

  it('bin/jobs list and status read the job', async () => {
    const list = await runJobsCli(['list', '--json'], env());
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ id: jobId, state: 'pending' }));
    const status = await runJobsCli(['status', jobId, '--json'], env());
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: jobId, state: 'pending', attempts: 0 });
  }, 60_000);

  it('a worker starts, says it polls, and keeps running while tursodb refuses its claim (UPDATE of a WITHOUT ROWID table)', async () => {
    // The claim's triggers update job_counts, a WITHOUT ROWID table (as are job_minutes,
    // failure_groups and job_totals), which tursodb 0.6 cannot update; SQLite and libSQL can.
    const worker = spawnProcess(['src/cli/main.ts', 'worker', '--concurrency', '2'], env());
    try {
      await worker.waitForOutput(/worker \S+ started \(remote database: no doorbell or checkpointer, which need a local file; polls every 200 ms\)/, 30_000);
      await worker.waitForOutput(/claiming jobs failed: .*UPDATE of WITHOUT ROWID tables is not supported/, 30_000);
      expect(worker.child.exitCode).toBeNull();
    } catch (error) {
      throw new Error(`${(error as Error).message}; the worker wrote:\n${worker.output()}`);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 90_000);

  it('bin/jobs enqueue fails in one line with tursodb\'s own reason (its upsert gap), no stack trace', async () => {
    const { code, stderr } = await runJobsCli(['enqueue', 'demo', '--params', '{"steps":1}'], env());
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
