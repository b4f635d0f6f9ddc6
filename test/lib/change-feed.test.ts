import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, useTempDatabase } from '../helpers/db';
import { waitFor } from '../helpers/processes';
import { openRemoteEngine } from '@/db/remote-engine';
import type { JobEventRow } from '@/db/schema';
import { migrate } from '@/db/migrate';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { changeFeed } from '@/lib/jobs/change-feed';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';

const db = useTempDatabase();
const job = (): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'feed', priority: 0, params: '{}', maxAttempts: 1,
  backoff: null, timeoutMs: 1000, runAt: Date.now(), idempotencyKey: null,
});

/** Subscribes, makes `count` jobs through `writer`, and resolves with the changes the feed hands over for them. */
async function seenThroughFeed(reader: Engine, writer: Engine, count: number): Promise<JobEventRow[]> {
  const seen: JobEventRow[] = [];
  const subscription = await changeFeed(reader).subscribe((changes) => seen.push(...changes));
  try {
    const jobs = Array.from({ length: count }, job);
    await enqueueJobs(writer, jobs, Date.now());
    const ids = new Set(jobs.map((j) => j.id));
    await waitFor(() => seen.filter((c) => ids.has(c.jobId)).length === count || undefined, 'the feed to hand over the new jobs', 10_000);
    return seen.filter((c) => ids.has(c.jobId));
  } finally {
    subscription.unsubscribe();
  }
}

describe('the change feed of a process', () => {
  it('on a local file, hands over changes another connection commits, and lets go of its watcher and timer when nobody listens', async () => {
    const engine = await db.engine();
    const other = (await import('@/db/file-engine')).openFileEngine(db.file, 5_000); // a second connection, as another process would have
    try {
      const changes = await seenThroughFeed(engine, other, 3);
      expect(changes.map((c) => c.kind)).toEqual(['enqueued', 'enqueued', 'enqueued']);
    } finally {
      await other.close();
    }
    expect(changeFeed(engine).usage()).toEqual({ listeners: 0, watching: false, polling: false });
  });

  it('on a remote database, polls: changes made through another client reach it without any wake-up', async () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'remote.db');
    const reader = openRemoteEngine(`file:${file}`, undefined);
    const writer = openRemoteEngine(`file:${file}`, undefined);
    afterAll(async () => {
      await reader.close();
      await writer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    await migrate(writer);
    const changes = await seenThroughFeed(reader, writer, 2);
    expect(changes.map((c) => c.kind)).toEqual(['enqueued', 'enqueued']);
    expect(changeFeed(reader).usage()).toEqual({ listeners: 0, watching: false, polling: false });
  });
});
