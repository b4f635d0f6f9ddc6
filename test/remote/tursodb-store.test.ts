import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { findTursodb, startHranaBridgeServer, startTursodb } from '../helpers/tursodb';
import type { Engine } from '@/db/engine';
import { openFileEngine } from '@/db/file-engine';
import { openRemoteEngine } from '@/db/remote-engine';
import { migrate } from '@/db/migrate';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { countedDelete } from '@/store/counted-delete';
import { claimJobs } from '@/store/claim';
import { completeJob } from '@/store/finish';
import { foldChanges } from '@/store/fold';
import { newJobId } from '@/core/ids';

// The store against a real libSQL server, `tursodb --sync-server` (npm package `turso`), through
// the test-only Hrana bridge (test/helpers/tursodb.ts says exactly what it translates).
const tursodb = findTursodb();
const t0 = Date.UTC(2026, 0, 1);
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{}', maxAttempts: 1,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});

describe.skipIf(!tursodb)('the store on tursodb --sync-server' + (tursodb ? '' : ' (skipped: tursodb not installed; npm install turso in $TURSO_CLI_DIR, default /tmp/turso-cli, or set TURSODB)'), () => {
  const dir = makeTempDir();
  let server: Awaited<ReturnType<typeof startTursodb>>;
  let bridge: Awaited<ReturnType<typeof startHranaBridgeServer>>;
  let engine: Engine;
  beforeAll(async () => {
    // tursodb 0.6 cannot run our migrations itself ("CREATE INDEX on WITHOUT ROWID tables is not
    // supported"), but serves a file they were applied to; a real Turso database runs them.
    const file = path.join(dir, 'jobs.db');
    const local = openFileEngine(file, 5000);
    await migrate(local);
    await local.close();
    server = await startTursodb(tursodb!, file);
    bridge = await startHranaBridgeServer(server.url);
    engine = openRemoteEngine(bridge.url, undefined);
  });
  afterAll(async () => {
    await engine?.close();
    await bridge?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is refused by unmodified @libsql/client: tursodb parses only execute and batch requests', async () => {
    const client = createClient({ url: server.url });
    await expect(client.execute('SELECT 1')).rejects.toThrow(/unknown variant `close`, expected `execute` or `batch`/);
    await expect(client.batch(['SELECT 1'], 'write')).rejects.toThrow(/unknown variant `store_sql`/);
    client.close();
  });

  it('enqueues a keyed job once: a second enqueue with the key returns the live holder\'s id', async () => {
    // The keyed insert is INSERT ... SELECT ... WHERE NOT EXISTS (the live holder), not an upsert on
    // the partial unique index, which tursodb 0.6 cannot target in ON CONFLICT.
    const [first] = await enqueueJobs(engine, [job({ idempotencyKey: 'order-1' })], t0);
    const [second] = await enqueueJobs(engine, [job({ idempotencyKey: 'order-1' })], t0);
    expect(second).toBe(first);
    expect((await engine.all("SELECT count(*) AS n FROM jobs WHERE idempotency_key = 'order-1'"))[0].n).toBe(1);
  });

  it('claims and completes a job, and the state counts follow (the counter tables have rowids since 0012)', async () => {
    await enqueueJobs(engine, [job()], t0);
    const [claimed] = await claimJobs(engine, { workerId: 'w1', queues: [], limit: 1, now: t0, leaseMs: 30_000 });
    expect(claimed.id).toBeDefined();
    const owner = { jobId: claimed.id, workerId: 'w1', attempt: claimed.attempts, concurrencyKey: null };
    expect(await completeJob(engine, owner, { result: '{"ok":true}', now: t0 + 1, logs: [] })).toBe('completed');
    await foldChanges(engine);
    const counts = Object.fromEntries((await engine.all('SELECT state, n FROM job_counts')).map((r) => [r.state, r.n]));
    const states = Object.fromEntries((await engine.all('SELECT state, count(*) AS n FROM jobs GROUP BY state')).map((r) => [r.state, r.n]));
    expect(counts).toMatchObject(states);
    expect(states.completed).toBe(1);
  });

  it('counts what a delete removed, though tursodb reports 0 rows affected for every write', async () => {
    // pruneJobMinutes and pruneChanges count through countedDelete.
    await engine.run('CREATE TABLE counted (v INTEGER)');
    await engine.run('INSERT INTO counted (v) VALUES (1), (2), (3)');
    expect(await countedDelete(engine, 'DELETE FROM counted WHERE v < ?', [3])).toBe(2);
  });

  it('does not isolate an interactive transaction: another client\'s write lands in it and is rolled back with it', async () => {
    // Why `.later(params, { tx })` (enqueueInTransaction, the caller's Drizzle transaction) must not be
    // used on tursodb: it answers baton null and runs every request on one shared connection.
    // On Turso's servers each transaction is a stream of its own.
    const a = createClient({ url: bridge.url });
    const b = createClient({ url: bridge.url });
    await a.execute('CREATE TABLE shared_tx (who TEXT)');
    const tx = await a.transaction('write');
    await tx.execute("INSERT INTO shared_tx VALUES ('a, in its transaction')");
    await b.execute("INSERT INTO shared_tx VALUES ('b, on its own')"); // not made to wait for a's COMMIT
    await tx.rollback();
    expect((await b.execute('SELECT who FROM shared_tx')).rows).toEqual([]); // b's committed write is gone too
    a.close();
    b.close();
  });
});
