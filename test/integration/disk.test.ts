import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { openEngine } from '@/db/client';
import { migrate } from '@/db/migrate';
import { startCheckpointer } from '@/db/checkpointer';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { newJobId } from '@/core/ids';

// A real full disk: a small tmpfs mounted for the test (mounting needs root, as CI runs).
const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts) execFileSync('umount', ['-l', dir]);
});

const demoJob = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{"steps":1,"delayMs":1}', maxAttempts: 3,
  backoff: null, timeoutMs: 10_000, runAt: Date.now(), idempotencyKey: null, ...overrides,
});

/** Writes zeros into `file` until the disk has no room left. */
function fillDisk(file: string): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
}

describe.runIf(isRoot)('a full disk', () => {
  it('says so in one clear line instead of a stack each round, and the worker carries on once space is freed', async () => {
    const dir = makeTempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
    mounts.push(dir);
    const url = `file:${path.join(dir, 'jobs.db')}`;
    const engine = await openEngine(url, undefined, 300);
    await migrate(engine);
    // Due a moment after the disk is full, so the worker meets it when it promotes and claims them.
    const jobs = Array.from({ length: 20 }, () => demoJob({ runAt: Date.now() + 2_000 }));
    await enqueueJobs(engine, jobs, Date.now());
    const worker = spawnWorker({ DATABASE_URL: url, JOBS_POLL_INTERVAL_MS: '100', JOBS_BUSY_TIMEOUT_MS: '300', JOBS_LEASE_MS: '5000' });
    await worker.waitForOutput('started');
    const filler = path.join(dir, 'filler');
    fillDisk(filler);
    await worker.waitForOutput(/is full/, 30_000);
    expect(worker.output()).toMatch(/The disk holding .*jobs\.db is full\. Nothing was written/);
    expect(worker.output()).not.toMatch(/^\s+at /m); // no stack trace
    fs.rmSync(filler);
    const done = async () => (await engine.all<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE state = 'completed'`))[0].n;
    await waitFor(async () => (await done()) === 20, 'all 20 jobs to complete once space is free', 60_000);
    expect(await stopProcess(worker)).toBe(0);
    await engine.close();
  });
});

describe('the WAL', () => {
  it('that grew past its size limit while a reader held it back is cut back once all of it is checkpointed', async () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'jobs.db');
    const engine = await openEngine(`file:${file}`, undefined, 5_000);
    await migrate(engine);
    const checkpointer = await startCheckpointer(engine, 50, 5_000);
    // A long read keeps checkpoints from reaching the end of the WAL, so a burst of writes grows it.
    const reader = new Database(file);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM jobs').get();
    const params = JSON.stringify({ pad: 'x'.repeat(1_000) });
    for (let batch = 0; batch < 25; batch++) {
      await enqueueJobs(engine, Array.from({ length: 1_000 }, () => demoJob({ params, idempotencyKey: newJobId() })), Date.now());
    }
    const walBytes = () => fs.statSync(`${file}-wal`).size;
    const limitBytes = 16 * 1024 * 1024;
    expect(walBytes()).toBeGreaterThan(limitBytes);
    reader.exec('COMMIT');
    reader.close();
    await waitFor(() => walBytes() <= limitBytes, 'the WAL to shrink to its size limit', 20_000);
    await checkpointer.stop();
    await engine.close();
  });
});
