import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { openRemoteEngine } from '@/db/remote-engine';
import { migrate } from '@/db/migrate';
import { claimJobs, claimRateLimitedJobs, promoteDueJobs } from '@/store/claim';
import { setQueueRateLimit } from '@/store/limits';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { completeJob, endJob } from '@/store/finish';
import { retryJobs } from '@/store/admin';
import { failedJobIdsOfGroup, listFailureGroups } from '@/store/failure-groups';
import { listRunningLeases, reapLeases, renewLeases } from '@/store/lease';
import { recordProgress } from '@/store/progress';
import { getJobDetail, listJobs, resolveJobId } from '@/store/queries';
import { newJobId } from '@/core/ids';
import { readChanges } from '@/store/changes';
import { readJobCounts, readJobMinutes } from '@/store/stats';
import { foldChanges } from '@/store/fold';
import { SharedClock } from '@/lib/jobs/shared-clock';

// The engine used for Turso / libSQL servers, driven here through @libsql/client's own
// SQLite engine on a file of its own (no other engine opens it), so every statement the
// store sends to a server is run by libSQL itself: batches, RETURNING, INDEXED BY, upserts.
const dir = makeTempDir();
const engine = openRemoteEngine(`file:${path.join(dir, 'libsql.db')}`, undefined);
afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const t0 = Date.UTC(2026, 0, 1);
/** Every migration this code ships, in order, as drizzle-kit's journal lists them. */
const shippedMigrations = (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../drizzle/meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] })
  .entries.map((entry) => entry.tag);
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'default', priority: 0, params: '{"x":1}', maxAttempts: 2,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});

describe('the libSQL client engine', () => {
  it('migrates, and a second migrate finds nothing to do', async () => {
    expect(await migrate(engine)).toEqual(shippedMigrations);
    expect(await migrate(engine)).toEqual([]);
  });

  it('runs a job through enqueue, claim, progress, heartbeat and completion', async () => {
    const a = job({ priority: 1 });
    const keyed = job({ idempotencyKey: 'k' });
    const later = job({ runAt: t0 + 10_000 });
    expect(await enqueueJobs(engine, [a, keyed, later], t0)).toEqual([a.id, keyed.id, later.id]);
    expect(await enqueueJobs(engine, [job({ idempotencyKey: 'k' })], t0)).toEqual([keyed.id]);

    const claimed = await claimJobs(engine, { workerId: 'w', queues: [], limit: 5, now: t0, leaseMs: 1000 });
    expect(claimed.map((j) => j.id).sort()).toEqual([a.id, keyed.id].sort());
    const ownerA = { jobId: a.id, workerId: 'w', attempt: 1 };
    expect(await recordProgress(engine, ownerA, [{ percent: 30, message: 'm', at: t0 }])).toBe(true);
    const held = [{ jobId: a.id, attempt: 1 }, { jobId: keyed.id, attempt: 1 }];
    expect(await renewLeases(engine, { workerId: 'w', attempts: held, now: t0 + 500, leaseMs: 1000 })).toEqual({ renewed: new Set([`${a.id}#1`, `${keyed.id}#1`]), cancelRequested: new Set() });
    expect(await completeJob(engine, ownerA, { result: '{"ok":true}', now: t0 + 600, logs: [] })).toBe('completed');
    expect(await completeJob(engine, ownerA, { result: '{"ok":true}', now: t0 + 600, logs: [] })).toBeNull();

    expect(await reapLeases(engine, await listRunningLeases(engine), t0 + 5_000)).toEqual([{ id: keyed.id, state: 'pending', attempts: 1, lostBy: 'w' }]);
    expect(await promoteDueJobs(engine, t0 + 10_000)).toBe(1);

    const detail = await getJobDetail(engine, await resolveJobId(engine, a.id.slice(0, 32)));
    expect(detail).toMatchObject({ state: 'completed', result: '{"ok":true}', progress: 100, attempts: 1 });
    expect(detail.attemptHistory.map((x) => x.outcome)).toEqual(['completed']);
    expect(detail.progressHistory.map((p) => p.percent)).toEqual([30]);
    expect((await listJobs(engine, { limit: 10, state: 'pending' })).map((j) => j.id).sort()).toEqual([keyed.id, later.id].sort());

    // The triggers of migration 0004 run on libSQL's own SQLite too: the feed, the counts, the minutes.
    expect((await readChanges(engine, 0, 100, a.id)).map((c) => c.kind)).toEqual(['enqueued', 'started', 'progress', 'completed']);
    await foldChanges(engine);
    expect((await readJobCounts(engine, 'default')).map((c) => [c.state, c.waiting, c.n])).toEqual([['completed', 0, 1], ['pending', 0, 2]]);
    // a's run at t0, and keyed's attempt taken back, counted in the database's own (real) minute
    expect((await readJobMinutes(engine, t0)).map((m) => [m.name, m.completed, m.retried, m.runMsTotal])).toEqual([['demo', 1, 0, 600], ['demo', 0, 1, 0]]);
    // A list of finished jobs, read through INDEXED BY jobs_finished_idx as rows of its own SQL.
    expect(await listJobs(engine, { limit: 10, state: 'completed' })).toMatchObject([{ id: a.id, completedAt: t0 + 600, attempts: 1, result: '{"ok":true}' }]);
  });

  it('grants concurrency slots and claims within a queue rate limit, in one batch each', async () => {
    const keyed = [job({ queue: 'k', concurrencyKey: 'tenant' }), job({ queue: 'k', concurrencyKey: 'tenant' })];
    await enqueueJobs(engine, keyed, t0);
    const first = await claimJobs(engine, { workerId: 'w', queues: ['k'], limit: 5, now: t0, leaseMs: 1000 });
    expect(first.map((j) => j.id)).toEqual([keyed[0].id]);
    await completeJob(engine, { jobId: keyed[0].id, workerId: 'w', attempt: 1, concurrencyKey: 'tenant' }, { result: null, now: t0, logs: [] });
    expect((await claimJobs(engine, { workerId: 'w', queues: ['k'], limit: 5, now: t0, leaseMs: 1000 })).map((j) => j.id)).toEqual([keyed[1].id]);

    await setQueueRateLimit(engine, { queue: 'r', max: 2, durationMs: 1_000, now: t0 });
    await enqueueJobs(engine, [job({ queue: 'r' }), job({ queue: 'r' }), job({ queue: 'r' })], t0);
    const claim = (now: number) => claimRateLimitedJobs(engine, { workerId: 'w', queues: ['r'], queue: 'r', limit: 5, now, leaseMs: 1000 });
    const inWindow = await claim(t0);
    expect({ claimed: inWindow.jobs.length, next: inWindow.nextStartAt }).toEqual({ claimed: 2, next: t0 + 1_000 });
    expect((await claim(t0 + 999)).jobs).toHaveLength(0);
    expect((await claim(t0 + 1_000)).jobs).toHaveLength(1);
  });
  it('keeps failure groups by the triggers of migration 0005, and reads them through their indexes', async () => {
    const failing = [job({ queue: 'fails', name: 'flaky' }), job({ queue: 'fails', name: 'flaky' })];
    await enqueueJobs(engine, failing, t0);
    await claimJobs(engine, { workerId: 'w', queues: ['fails'], limit: 5, now: t0, leaseMs: 1000 });
    for (const [i, j] of failing.entries()) {
      const error = { name: 'TimeoutError', message: `Timeout after ${i + 1}000 ms`, stack: `TimeoutError: x\n    at run (/app/src/jobs/flaky.ts:${i + 3}:1)` };
      expect(await endJob(engine, { jobId: j.id, workerId: 'w', attempt: 1 }, { state: 'failed', outcome: 'failed', error, now: t0 + i, logs: [] })).toBe('failed');
    }
    const [group] = (await listFailureGroups(engine, { limit: 10 })).groups;
    expect(group).toMatchObject({ name: 'flaky', errorName: 'TimeoutError', message: 'Timeout after <n> ms', frame: 'run (src/jobs/flaky.ts)', failed: 2, firstSeen: t0, lastSeen: t0 + 1 });
    expect((await failedJobIdsOfGroup(engine, { name: 'flaky', fingerprint: group.fingerprint, limit: 10 })).ids).toEqual([failing[1].id, failing[0].id]);
    await retryJobs(engine, [failing[0].id], t0 + 2);
    expect((await listFailureGroups(engine, { limit: 10 })).groups).toMatchObject([{ name: 'flaky', failed: 1 }]);
  });

  it('counts a scheduled job\'s end in its schedule, and reads the database\'s clock', async () => {
    await engine.run(`INSERT INTO cron_jobs (name, job_name, cron, created_at, updated_at) VALUES ('libsql-sched', 'demo', '* * * * *', 0, 0)`);
    const scheduled = job({ queue: 'sched', scheduleName: 'libsql-sched' });
    await enqueueJobs(engine, [scheduled], t0);
    const [claimed] = await claimJobs(engine, { workerId: 'w', queues: ['sched'], limit: 1, now: t0, leaseMs: 1000 });
    expect(await completeJob(engine, { jobId: claimed.id, workerId: 'w', attempt: 1 }, { result: null, now: t0, logs: [], scheduleName: 'libsql-sched' })).toBe('completed');
    expect(await engine.all(`SELECT runs_completed, runs_failed FROM cron_jobs WHERE name = 'libsql-sched'`)).toEqual([{ runs_completed: 1, runs_failed: 0 }]);

    const clock = new SharedClock(engine);
    await clock.sync();
    // This "server" is a file on this machine: its clock is ours, so the measured offset is about zero.
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1_000);
  });
});
