import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs, claimJobsWhenCommitting, claimScope, claimSelectSql, claimStatements, nextScheduledAt, oneRowClaimsUpTo, promoteDueJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';
import { getJob } from '@/store/queries';

const db = useTempDatabase();
let clock = Date.UTC(2026, 0, 1);

function job(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{}', maxAttempts: 3,
    backoff: null, timeoutMs: 60_000, runAt: clock, idempotencyKey: null, ...overrides,
  };
}
const claim = (engine: Engine, limit: number, queues: string[] = [], workerId = 'w1') =>
  claimJobs(engine, { workerId, queues, limit, now: clock, leaseMs: 30_000 });
const drain = async (engine: Engine) => {
  // A finished job has a completed_at: migration 0004's per-minute trigger reads it.
  await engine.run(`UPDATE jobs SET state = 'completed', completed_at = ? WHERE state IN ('pending', 'running')`, [clock]);
};

describe('claim', () => {
  it('takes the highest priority first, then the earliest run_at, then the oldest id', async () => {
    const engine = await db.engine();
    const low = job({ priority: -5 });
    const highLater = job({ priority: 5, runAt: clock - 10 });
    const highEarlier = job({ priority: 5, runAt: clock - 20 });
    const normalA = job();
    const normalB = job();
    await enqueueJobs(engine, [low, normalA, highLater, normalB, highEarlier], clock);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push(...(await claim(engine, 1)).map((j) => j.id));
    expect(order).toEqual([highEarlier.id, highLater.id, normalA.id, normalB.id, low.id]);
    expect(await claim(engine, 1)).toEqual([]);
  });

  it('marks what it claims as running, owned, leased and one attempt further', async () => {
    const engine = await db.engine();
    await drain(engine);
    await enqueueJobs(engine, [job()], clock);
    const [claimed] = await claim(engine, 5, [], 'worker-7');
    expect(claimed).toMatchObject({ state: 'running', lockedBy: 'worker-7', lockedUntil: clock + 30_000, attempts: 1, startedAt: clock });
  });

  it('gives a worker\'s claim only the columns it runs a job with, each as the stored row has it', async () => {
    const engine = await db.engine();
    await drain(engine);
    const stored = job({ name: 'report', params: '{"to":"a@example.com"}', maxAttempts: 7, timeoutMs: 1234, backoff: '{"kind":"fixed","ms":50}', scheduleName: 'nightly', concurrencyKey: 'tenant-1', concurrencyLimit: 2 });
    await enqueueJobs(engine, [stored], clock);
    const { jobs, asked } = await claimJobsWhenCommitting(engine, { workerId: 'w9', leaseMs: 30_000, limit: () => 3, now: clock });
    expect(asked).toBe(3);
    expect(jobs).toHaveLength(1);
    const row = await getJob(engine, stored.id);
    const keys = ['id', 'name', 'params', 'attempts', 'maxAttempts', 'backoff', 'timeoutMs', 'scheduleName', 'hasDependents', 'concurrencyKey'] as const;
    expect(Object.keys(jobs[0]).sort()).toEqual([...keys].sort());
    expect(jobs[0]).toEqual(Object.fromEntries(keys.map((key) => [key, row![key]])));
    expect(jobs[0]).toMatchObject({ attempts: 1, maxAttempts: 7, timeoutMs: 1234, scheduleName: 'nightly', concurrencyKey: 'tenant-1' });
    expect(row).toMatchObject({ state: 'running', lockedBy: 'w9', lockedUntil: clock + 30_000, startedAt: clock });
  });

  it('serves the queues it is given in the order given, and no others', async () => {
    const engine = await db.engine();
    await drain(engine);
    const mail = job({ queue: 'mail' });
    const reports = job({ queue: 'reports', priority: 10 });
    const other = job({ queue: 'other' });
    await enqueueJobs(engine, [mail, reports, other], clock);
    const claimed = await claim(engine, 5, ['mail', 'reports']);
    expect(claimed.map((j) => j.id)).toEqual([mail.id, reports.id]);
    expect((await claim(engine, 5, ['mail', 'reports']))).toEqual([]);
    expect((await claim(engine, 5)).map((j) => j.id)).toEqual([other.id]);
  });

  it('leaves a job scheduled in the future alone until it is promoted after its time', async () => {
    const engine = await db.engine();
    await drain(engine);
    const later = job({ runAt: clock + 60_000, priority: 10 });
    await enqueueJobs(engine, [later], clock);
    expect(await claim(engine, 5)).toEqual([]);
    expect(await nextScheduledAt(engine)).toBe(clock + 60_000);
    expect(await promoteDueJobs(engine, clock + 59_999)).toBe(0);
    expect(await promoteDueJobs(engine, clock + 60_000)).toBe(1);
    expect(await nextScheduledAt(engine)).toBeNull();
    expect((await claim(engine, 5)).map((j) => j.id)).toEqual([later.id]);
  });

  it('takes the same best jobs with one-row claims (up to oneRowClaimsUpTo) as with one claim of many', async () => {
    const engine = await db.engine();
    for (const queues of [[], ['default']]) {
      for (const limit of [1, 2, oneRowClaimsUpTo, oneRowClaimsUpTo + 1, oneRowClaimsUpTo + 3]) {
        await drain(engine);
        // More jobs than any limit here, so each form has to pick the best `limit` of them.
        const made = Array.from({ length: oneRowClaimsUpTo + 8 }, (_, i) => job({ priority: i % 3, runAt: clock - (i % 4) }));
        await enqueueJobs(engine, made, clock);
        const best = [...made]
          .sort((a, b) => b.priority - a.priority || a.runAt - b.runAt || (a.id < b.id ? -1 : 1))
          .map((j) => j.id);
        // The best `limit` of them; one IN claim returns its rows in its own order, so compared as sets.
        const ids = (rows: { id: string }[]) => rows.map((j) => j.id).sort();
        expect(ids(await claim(engine, limit, queues))).toEqual([...best.slice(0, limit)].sort());
        expect(ids(await claim(engine, 100, queues))).toEqual([...best.slice(limit)].sort());
      }
    }
  });

  it('claims by one-row statements up to oneRowClaimsUpTo jobs, by one statement above', () => {
    const scope = claimScope(null, ['demo']);
    const lease = ['w', clock + 30_000, clock];
    expect(claimStatements(scope, lease, 0)).toEqual([]);
    const few = claimStatements(scope, lease, oneRowClaimsUpTo);
    expect(few).toHaveLength(oneRowClaimsUpTo);
    expect(few[0].sql).toMatch(/WHERE id = \(SELECT id FROM jobs INDEXED BY jobs_claim_idx .* LIMIT 1\)/s);
    const many = claimStatements(scope, lease, oneRowClaimsUpTo + 1);
    expect(many).toHaveLength(1);
    expect(many[0].sql).toMatch(/WHERE id IN \(SELECT id FROM jobs INDEXED BY jobs_claim_idx .* LIMIT \?\)/s);
  });

  it('never hands one job to two claimers', async () => {
    const engine = await db.engine();
    await drain(engine);
    await enqueueJobs(engine, Array.from({ length: 50 }, () => job()), clock);
    const batches = await Promise.all(Array.from({ length: 10 }, (_, w) => claim(engine, 7, [], `w${w}`)));
    const ids = batches.flat().map((j) => j.id);
    expect(ids.length).toBe(50);
    expect(new Set(ids).size).toBe(50);
  });
});

describe('claim query plans', () => {
  const plan = async (sql: string, args: unknown[]) => {
    const engine = await db.engine();
    // EXPLAIN of the SELECT part only: EXPLAIN of a write poisons a libsql connection (PLATFORM.md).
    const rows = await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, args as never);
    return rows.map((r) => r.detail).join('\n');
  };

  it('is one walk of the claim index with finished and scheduled rows present, never a sort', async () => {
    const engine = await db.engine();
    await engine.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO jobs (id, name, queue, state, scheduled, priority, params, max_attempts, timeout_ms, run_at, created_at)
      SELECT printf('00000000-0000-7000-8000-%012d', i), 'demo', 'default', CASE WHEN i % 4 = 0 THEN 'pending' ELSE 'completed' END,
             CASE WHEN i % 4 = 0 THEN 1 ELSE 0 END, 10, '{}', 3, 1000, ${clock + 3_600_000}, ${clock} FROM n`);
    // Before statistics exist (a new database) and after ANALYZE alike.
    for (const analyze of [false, true]) {
      if (analyze) await engine.run('ANALYZE');
      const anyQueue = await plan(claimSelectSql.anyQueue, [1]);
      expect(anyQueue).toMatch(/SCAN jobs USING (COVERING )?INDEX jobs_claim_idx/);
      expect(anyQueue).not.toMatch(/TEMP B-TREE/);
      const oneQueue = await plan(claimSelectSql.oneQueue, ['default', 1]);
      expect(oneQueue).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_queue_claim_idx \(queue=\?\)/);
      expect(oneQueue).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('claims one row by one seek of the claim index and its primary key, never a sort', async () => {
    const engine = await db.engine();
    const lease = ['w', clock + 30_000, clock];
    for (const queue of [null, 'default']) {
      const [one] = claimStatements(claimScope(queue, ['demo']), lease, 1);
      const text = await plan(one.sql, one.args ?? []); // a file engine: EXPLAIN of this write is harmless here
      expect(text).toMatch(queue === null ? /SCAN jobs USING (COVERING )?INDEX jobs_claim_idx/ : /SEARCH jobs USING (COVERING )?INDEX jobs_queue_claim_idx \(queue=\?\)/);
      expect(text).toMatch(/SEARCH jobs USING (COVERING )?INDEX sqlite_autoindex_jobs_1 \(id=\?\)/);
      expect(text).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('finds due scheduled jobs, expired leases and a worker\'s jobs through their own small indexes', async () => {
    const due = `SELECT id FROM jobs INDEXED BY jobs_due_idx WHERE state = 'pending' AND scheduled = 1 AND run_at <= ?`;
    expect(await plan(due, [clock])).toMatch(/INDEX jobs_due_idx \(run_at<\?\)/);
    const expired = `SELECT id FROM jobs INDEXED BY jobs_lease_idx WHERE state = 'running' AND locked_until < ?`;
    expect(await plan(expired, [clock])).toMatch(/INDEX jobs_lease_idx \(locked_until<\?\)/);
    const owned = `SELECT id FROM jobs INDEXED BY jobs_owner_idx WHERE state = 'running' AND locked_by = ?`;
    expect(await plan(owned, ['w'])).toMatch(/INDEX jobs_owner_idx \(locked_by=\?\)/);
  });
});
