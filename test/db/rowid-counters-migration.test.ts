import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, migrationsBefore } from '../helpers/db';
import type { Engine } from '@/db/engine';
import { openFileEngine } from '@/db/file-engine';
import { migrate } from '@/db/migrate';
import { claimJobs } from '@/store/claim';
import { deleteFinishedJobs } from '@/store/cleanup';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob } from '@/store/finish';
import { foldChanges } from '@/store/fold';
import { newJobId } from '@/core/ids';

// Migration 0012 rebuilds the four counter tables without WITHOUT ROWID (tursodb cannot update
// those). A database made before it keeps every count, and the triggers and the fold that write
// them go on working.
const t0 = Date.UTC(2026, 0, 1, 10, 0);
const counterTables = ['job_counts', 'job_minutes', 'failure_groups', 'job_totals'];
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{}', maxAttempts: 1,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});

async function runAndEnd(engine: Engine, how: 'completed' | 'failed', now: number): Promise<void> {
  const [claimed] = await claimJobs(engine, { workerId: 'w', now, leaseMs: 60_000, queues: ['default'], names: ['demo'], limit: 1 });
  const owner = { jobId: claimed.id, workerId: 'w', attempt: claimed.attempts };
  if (how === 'completed') await completeJob(engine, owner, { result: null, now: now + 5, logs: [] });
  else await endJob(engine, owner, { state: 'failed', outcome: 'failed', error: { name: 'Error', message: 'boom' }, now: now + 5, logs: [] });
}

async function counters(engine: Engine): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of counterTables) out[table] = await engine.all(`SELECT * FROM ${table} ORDER BY 1, 2, 3`);
  return out;
}

describe('migration 0012 (counter tables as rowid tables) on a database made before it', () => {
  const dir = makeTempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every count, leaves no WITHOUT ROWID table, and its triggers and the fold still count', async () => {
    const engine = openFileEngine(path.join(dir, 'old.db'), 5_000);
    try {
      await migrate(engine, migrationsBefore(dir, '0012'));
      await enqueueJobs(engine, [job(), job(), job({ queue: 'mail', name: 'mailer' }), job()], t0);
      await runAndEnd(engine, 'completed', t0 + 10);
      await runAndEnd(engine, 'failed', t0 + 20);
      await foldChanges(engine);
      const before = await counters(engine);
      expect(before.failure_groups).toHaveLength(1);
      expect(before.job_totals).not.toEqual([]);

      expect(await migrate(engine)).toEqual(['0012_rowid_counters']);
      expect(await counters(engine)).toEqual(before);
      const tables = await engine.all<{ name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'table'`);
      expect(tables.filter((t) => /WITHOUT ROWID/i.test(t.sql)).map((t) => t.name)).toEqual([]);
      const triggers = await engine.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`);
      expect(triggers.map((t) => t.name)).toEqual(expect.arrayContaining(['jobs_counts_delete', 'jobs_failures_insert', 'jobs_failures_update', 'jobs_failures_delete']));
      const [index] = await engine.all<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE name = 'failure_groups_recent_idx'`);
      expect(index.sql).toMatch(/WHERE failed > 0/);

      // After it: a failure is counted in its group by trigger, and a delete takes it out of both counts.
      await runAndEnd(engine, 'failed', t0 + 30);
      expect(await engine.all('SELECT failed FROM failure_groups')).toEqual([{ failed: 2 }]);
      await foldChanges(engine);
      const failedCount = async () => (await engine.all<{ n: number }>(`SELECT n FROM job_counts WHERE queue = 'default' AND state = 'failed'`))[0]?.n;
      expect(await failedCount()).toBe(2);
      expect(await deleteFinishedJobs(engine, ['failed'], t0 + 1_000)).toBe(2);
      expect(await engine.all('SELECT failed FROM failure_groups')).toEqual([{ failed: 0 }]);
      expect(await failedCount()).toBe(0);
      const [totals] = await engine.all<{ failed: number; completed: number }>(`SELECT failed, completed FROM job_totals WHERE queue = 'default'`);
      expect(totals).toEqual({ failed: 2, completed: 1 }); // all-time totals never go down
    } finally {
      await engine.close();
    }
  });
});
