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

  it('refuses the enqueue upsert: tursodb 0.6 cannot target a partial unique index in ON CONFLICT', async () => {
    // SQLite and libSQL (Turso's servers) accept it; this test says when tursodb does too.
    await expect(enqueueJobs(engine, [job()], t0)).rejects.toThrow(/ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint/);
  });

  it('counts what a delete removed, though tursodb reports 0 rows affected for every write', async () => {
    // pruneJobMinutes and pruneChanges count through countedDelete. (Their own tables cannot be used
    // here: job_minutes is WITHOUT ROWID, and tursodb 0.6 refuses DELETE from such tables.)
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
