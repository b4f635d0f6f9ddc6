import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { getConfig, resetConfig } from '@/config/env';
import { CronPoller } from '@/cron/poller';
import type { Engine } from '@/db/engine';
import { migrate } from '@/db/migrate';
import { openRemoteEngine } from '@/db/remote-engine';
import { JobRegistry } from '@/lib/jobs';
import { DemoJob } from '@/jobs';
import { createWorkerLog } from '@/worker/log';
import { newJobId } from '@/core/ids';
import { enqueueInTransaction, type NewJob } from '@/store/enqueue';
import { getJob } from '@/store/queries';
import type { RemoteDatabase } from '@/lib/jobs/database';
import { Worker } from '@/worker/worker';

// The remote engine (the one a libsql:// URL opens) over @libsql/client's own SQLite on a file:
// a worker and a cron poller on it go without the file-only doorbell and checkpointer, and say so.
const dir = makeTempDir();
let engine: Engine;
beforeAll(async () => {
  process.env.DATABASE_URL = `file:${path.join(dir, 'unused.db')}`; // the config needs one; the engine is handed in
  process.env.JOBS_POLL_INTERVAL_MS = '250';
  resetConfig();
  engine = openRemoteEngine(`file:${path.join(dir, 'remote.db')}`, undefined);
  await migrate(engine);
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a worker and a cron poller on a remote database', () => {
  it('start without the doorbell or the checkpointer and say that they poll instead', async () => {
    const lines: string[] = [];
    const log = createWorkerLog((line) => lines.push(line), { format: 'text' });
    const worker = new Worker({ engine, config: getConfig(), registry: new JobRegistry([DemoJob]), queues: [], concurrency: 1, log });
    await worker.start();
    await worker.stop();
    log.detach();
    expect(lines.join('\n')).toMatch(/worker \S+ started \(remote database: no doorbell or checkpointer, which need a local file; polls every 250 ms\)/);

    const cronLines: string[] = [];
    const poller = new CronPoller({ engine, config: getConfig(), registry: new JobRegistry([DemoJob]), log: { info: (l) => cronLines.push(l), error: (l) => cronLines.push(l) } });
    await poller.start();
    await poller.stop();
    expect(cronLines.join('\n')).toMatch(/cron poller \S+ started \(remote database: no doorbell, which needs a local file; polls every 250 ms\)/);
  });

  it('enqueue in the caller\'s own (asynchronous, interactive) Drizzle transaction commits and rolls back with it', async () => {
    // The only interactive transaction on a remote database is the app's own, `.later(params, { tx })`.
    const db = engine.orm as unknown as RemoteDatabase;
    const job = (): NewJob => ({ id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{}', maxAttempts: 1, backoff: null, timeoutMs: 1000, runAt: 0, idempotencyKey: null });
    const kept = job();
    await db.transaction(async (tx) => {
      expect(await enqueueInTransaction(tx, kept, 0)).toBe(kept.id);
    });
    const dropped = job();
    await expect(db.transaction(async (tx) => {
      await enqueueInTransaction(tx, dropped, 0);
      throw new Error('the app changed its mind');
    })).rejects.toThrow('the app changed its mind');
    expect((await getJob(engine, kept.id))?.state).toBe('pending');
    expect(await getJob(engine, dropped.id)).toBeFalsy();
  });
});
