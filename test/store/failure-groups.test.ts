import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, migrationsBefore, useTempDatabase } from '../helpers/db';
import { reapAllRunning } from '../helpers/leases';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { endJob, retryJob } from '@/store/finish';
import { deleteJobs, retryJobs } from '@/store/admin';
import { deleteFinishedJobs } from '@/store/cleanup';
import { parentFailures } from '@/store/dependencies';
import { failedJobIdsOfGroup, failureGroupSql, listFailureGroups, type FailureGroup, type FailureGroupCursor } from '@/store/failure-groups';
import { getJob } from '@/store/queries';
import { openFileEngine } from '@/db/file-engine';
import { migrate, migrationsDir } from '@/db/migrate';
import { fingerprintOf } from '@/core/fingerprint';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1, 10, 0);
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'send-email', queue: 'fail', priority: 0, params: '{}', maxAttempts: 1,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});
const stackAt = (fn: string, file: string, line: number) => `Error: x\n    at ${fn} (/srv/app/node_modules/lib/index.js:1:1)\n    at ${fn} (/srv/app/src/jobs/${file}.ts:${line}:7)`;
const timeout = (ms: number, user: number, line = 10) =>
  ({ name: 'TimeoutError', message: `Timeout after ${ms} ms for "user ${user}"`, stack: stackAt('SendEmailJob.perform', 'send-email', line) });
const refused = (port: number) => ({ name: 'Error', message: `connect ECONNREFUSED 10.0.0.${port % 255}:${port}`, stack: stackAt('ResizeJob.perform', 'resize', 3) });

/** Enqueues the jobs, claims them all and fails each with its error, on its last attempt. */
async function failJobs(engine: Engine, list: { job: NewJob; error: { name: string; message: string; stack?: string } }[], now: number) {
  await enqueueJobs(engine, list.map((x) => x.job), now);
  await claimJobs(engine, { workerId: 'w', queues: [...new Set(list.map((x) => x.job.queue))], limit: list.length, now, leaseMs: 1000 });
  for (const { job: j, error } of list) {
    expect(await endJob(engine, { jobId: j.id, workerId: 'w', attempt: 1 }, { state: 'failed', outcome: 'failed', error, now, logs: [] })).toBe('failed');
  }
}

/** The groups as the triggers keep them, against a GROUP BY of the failed jobs themselves. */
async function expectGroupsMatchTable(engine: Engine) {
  const kept = (await listFailureGroups(engine, { limit: 1_000 })).groups.map((g) => `${g.name}/${g.fingerprint}=${g.failed}`).sort();
  const counted = (await engine.all<{ key: string }>(
    `SELECT name || '/' || coalesce(fingerprint, 'unknown') || '=' || count(*) AS key FROM jobs WHERE state = 'failed' GROUP BY name, coalesce(fingerprint, 'unknown')`,
  )).map((r) => r.key).sort();
  expect(kept).toEqual(counted);
  return kept;
}

/** Every group with failed jobs, as name/fingerprint, newest last failure first, read `limit` at a time. */
async function walkGroups(engine: Engine, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor: FailureGroupCursor | null = null;
  do {
    const page: { groups: FailureGroup[]; nextCursor: FailureGroupCursor | null } = await listFailureGroups(engine, { limit, cursor });
    keys.push(...page.groups.map((g) => `${g.name}/${g.fingerprint}`));
    cursor = page.nextCursor;
  } while (cursor);
  return keys;
}

describe('failure groups', () => {
  it('put failures that differ only in their values and line numbers in one group per job name, and keep each count equal to a GROUP BY of the failed jobs through failures, retries by hand, deletes and cleanup', async () => {
    const engine = await db.engine();
    const timeouts = [job(), job(), job(), job({ name: 'digest' })];
    const refusals = [job({ name: 'resize' }), job({ name: 'resize' })];
    await failJobs(engine, [
      { job: timeouts[0], error: timeout(5000, 42, 10) }, { job: timeouts[1], error: timeout(7000, 7, 12) },
      { job: timeouts[2], error: timeout(1, 1, 99) }, { job: timeouts[3], error: timeout(5000, 42) },
      { job: refusals[0], error: refused(5432) }, { job: refusals[1], error: refused(6379) },
    ], t0);
    const fp = fingerprintOf(timeout(1, 1).name, timeout(1, 1).message, timeout(1, 1).stack).fingerprint;
    expect(await getJob(engine, timeouts[0].id)).toMatchObject({ state: 'failed', fingerprint: fp });
    expect(await expectGroupsMatchTable(engine)).toEqual([
      `digest/${fp}=1`, `resize/${fingerprintOf('Error', refused(1).message, refused(1).stack).fingerprint}=2`, `send-email/${fp}=3`,
    ].sort());

    expect(await retryJobs(engine, [timeouts[0].id, refusals[0].id], t0 + 1)).toHaveLength(2);
    await expectGroupsMatchTable(engine);
    // the retried jobs fail again, the same ways: back in their groups
    await claimJobs(engine, { workerId: 'w', queues: ['fail'], limit: 10, now: t0 + 2, leaseMs: 1000 });
    await endJob(engine, { jobId: timeouts[0].id, workerId: 'w', attempt: 2 }, { state: 'failed', outcome: 'failed', error: timeout(3, 3), now: t0 + 2, logs: [] });
    await endJob(engine, { jobId: refusals[0].id, workerId: 'w', attempt: 2 }, { state: 'failed', outcome: 'failed', error: refused(80), now: t0 + 2, logs: [] });
    await expectGroupsMatchTable(engine);

    expect(await deleteJobs(engine, [timeouts[1].id])).toEqual([timeouts[1].id]);
    expect(await deleteFinishedJobs(engine, ['failed'], t0 + 1)).toBe(3); // timeouts[2], timeouts[3], refusals[1]
    const kept = await expectGroupsMatchTable(engine);
    expect(kept).toEqual([`resize/${fingerprintOf('Error', refused(1).message, refused(1).stack).fingerprint}=1`, `send-email/${fp}=1`]);
  });

  it('count a job failed by a lost lease on its last attempt and one failed by a failed parent, in groups that do not depend on which worker or parent', async () => {
    const engine = await db.engine();
    const [lost, otherLost] = [job({ queue: 'fail-lease', name: 'lost' }), job({ queue: 'fail-lease', name: 'lost' })];
    await enqueueJobs(engine, [lost], t0);
    await claimJobs(engine, { workerId: 'worker-a:1:aaaaaa', queues: ['fail-lease'], limit: 1, now: t0, leaseMs: 1000 });
    await enqueueJobs(engine, [otherLost], t0);
    await claimJobs(engine, { workerId: 'worker-b:2:b1b2b3', queues: ['fail-lease'], limit: 1, now: t0, leaseMs: 1000 });
    await reapAllRunning(engine, t0 + 5_000);
    const [a, b] = [await getJob(engine, lost.id), await getJob(engine, otherLost.id)];
    expect(a).toMatchObject({ state: 'failed' });
    expect(a?.fingerprint).toBe(b?.fingerprint);

    const parent = job({ queue: 'fail-deps', name: 'extract' });
    await failJobs(engine, [{ job: parent, error: { name: 'Error', message: 'no source' } }], t0);
    const child = job({ queue: 'fail-deps', name: 'load', dependsOn: [parent.id] });
    await enqueueJobs(engine, [child], t0);
    const failedChild = await getJob(engine, child.id);
    expect(failedChild).toMatchObject({ state: 'failed', fingerprint: parentFailures.failed.fingerprint });
    // the constant the SQL writes is what fingerprintOf makes of the message it writes
    expect(fingerprintOf('Error', failedChild!.error!)).toEqual(parentFailures.failed);

    const { groups } = await listFailureGroups(engine, { limit: 100 });
    expect(groups.find((g) => g.name === 'lost')).toMatchObject({
      failed: 2, errorName: 'LeaseExpiredError', message: 'Lease expired: worker <worker> stopped renewing it', frame: null,
    });
    expect(groups.find((g) => g.name === 'load')).toMatchObject({ failed: 1, errorName: 'Error', message: 'A job it depends on did not complete: <uuid> was failed' });
    await expectGroupsMatchTable(engine);
  });

  it('count nothing for a failing attempt that lost its lease, nor for a retry that still has attempts left', async () => {
    const engine = await db.engine();
    const before = await expectGroupsMatchTable(engine);
    const flaky = job({ queue: 'fail-retry', maxAttempts: 3 });
    await enqueueJobs(engine, [flaky], t0);
    await claimJobs(engine, { workerId: 'w', queues: ['fail-retry'], limit: 1, now: t0, leaseMs: 1000 });
    await retryJob(engine, { jobId: flaky.id, workerId: 'w', attempt: 1 }, { outcome: 'failed', error: timeout(1, 1), runAt: t0, now: t0, logs: [] });
    expect(await endJob(engine, { jobId: flaky.id, workerId: 'w', attempt: 1 }, { state: 'failed', outcome: 'failed', error: timeout(1, 1), now: t0, logs: [] })).toBeNull();
    expect(await expectGroupsMatchTable(engine)).toEqual(before);
  });

  it('count a job written already failed (an import, a hand-written INSERT), under unknown when it has no fingerprint', async () => {
    const engine = await db.engine();
    for (const fingerprint of ['0123456789abcdef', null]) {
      await engine.run(`INSERT INTO jobs (id, name, queue, state, params, max_attempts, timeout_ms, run_at, created_at, completed_at, fingerprint)
                        VALUES (?, 'imported', 'fail-import', 'failed', '{}', 1, 1000, ?, ?, ?, ?)`, [newJobId(), t0, t0, t0, fingerprint]);
    }
    expect((await expectGroupsMatchTable(engine)).filter((key) => key.startsWith('imported/'))).toEqual(['imported/0123456789abcdef=1', 'imported/unknown=1']);
  });

  it('list groups newest last failure first, a keyset page at a time, with first and last seen and what the fingerprint stands for', async () => {
    const engine = await db.engine();
    const day = Date.UTC(2026, 1, 1);
    const names = ['page-a', 'page-b', 'page-c'];
    for (const [i, name] of names.entries()) {
      await failJobs(engine, [{ job: job({ queue: 'fail-page', name }), error: timeout(i, i) }], day + i * 1_000);
      await failJobs(engine, [{ job: job({ queue: 'fail-page', name }), error: timeout(i, i) }], day + i * 1_000 + 500);
    }
    const first = await listFailureGroups(engine, { limit: 2 });
    expect(first.groups.map((g) => g.name)).toEqual(['page-c', 'page-b']);
    expect(first.groups[0]).toEqual({
      name: 'page-c', fingerprint: expect.any(String), errorName: 'TimeoutError', message: 'Timeout after <n> ms for <str>',
      frame: 'SendEmailJob.perform (src/jobs/send-email.ts)', failed: 2, firstSeen: day + 2_000, lastSeen: day + 2_500,
    } satisfies FailureGroup);
    const second = await listFailureGroups(engine, { limit: 2, cursor: first.nextCursor });
    expect(second.groups[0].name).toBe('page-a');
    expect(second.groups.map((g) => g.name)).not.toContain('page-b');
  });

  it('walk more than 100 groups 100 a page, newest last failure first, seeing each exactly once while new failures come in between pages, each page a seek of the index', async () => {
    const engine = await db.engine();
    const june = Date.UTC(2026, 5, 1);
    // 252 groups (one per job name), three of them failing at each moment, so equal last_seen values tie-break by name.
    for (let k = 0; k < 84; k++) {
      const list = [0, 1, 2].map((i) => ({ job: job({ queue: 'fail-many', name: `many-${String(3 * k + i).padStart(3, '0')}` }), error: timeout(k, k) }));
      await failJobs(engine, list, june + k * 1_000);
    }
    const key = (g: FailureGroup) => `${g.name}/${g.fingerprint}`;
    const before = await walkGroups(engine, 1_000);
    expect(before.filter((k) => k.startsWith('many-'))).toHaveLength(252);

    const seen: string[] = [];
    let cursor: FailureGroupCursor | null = null;
    let pages = 0;
    do {
      const page: { groups: FailureGroup[]; nextCursor: FailureGroupCursor | null } = await listFailureGroups(engine, { limit: 100, cursor });
      seen.push(...page.groups.map(key));
      cursor = page.nextCursor;
      pages++;
      if (pages === 1) {
        // Between pages: new groups fail, and a group already shown fails again. They go to the head, behind the walk.
        await failJobs(engine, [
          { job: job({ queue: 'fail-many', name: 'many-new-a' }), error: refused(1) },
          { job: job({ queue: 'fail-many', name: 'many-new-b' }), error: refused(2) },
          { job: job({ queue: 'fail-many', name: page.groups[50].name }), error: timeout(1, 1) },
        ], june + 100 * 1_000);
      }
    } while (cursor);
    expect(pages).toBe(Math.ceil(before.length / 100));
    expect(seen).toEqual(before); // every group there was at the start, once, in order; none of those that came in meanwhile
    expect(new Set(seen).size).toBe(seen.length);
    // The newest page now starts with them.
    expect((await listFailureGroups(engine, { limit: 3 })).groups.map((g) => g.name).sort()).toEqual(['many-new-a', 'many-new-b', before[50].split('/')[0]].sort());

    const plan = async (after: boolean) => (await engine.all<{ detail: string }>(
      `EXPLAIN QUERY PLAN ${failureGroupSql.list(after)}`, after ? [june, 'many-100', 'x', 100] : [100])).map((r) => r.detail);
    expect(await plan(false)).toEqual([
      'SCAN g USING INDEX failure_groups_recent_idx', expect.stringMatching(/^SEARCH f USING INDEX sqlite_autoindex_failure_fingerprints_1 \(fingerprint=\?\)/),
    ]);
    // A later page seeks to its cursor instead of walking the pages before it.
    expect(await plan(true)).toEqual([
      'SEARCH g USING INDEX failure_groups_recent_idx ((last_seen,name,fingerprint)<(?,?,?))',
      expect.stringMatching(/^SEARCH f USING INDEX sqlite_autoindex_failure_fingerprints_1 \(fingerprint=\?\)/),
    ]);
  });

  it('give one group\'s failed job ids newest failure first, a chunk at a time, for its retry or discard', async () => {
    const engine = await db.engine();
    const list = Array.from({ length: 5 }, () => job({ queue: 'fail-bulk', name: 'bulk' }));
    for (const [i, j] of list.entries()) await failJobs(engine, [{ job: j, error: timeout(i, i) }], t0 + i);
    await failJobs(engine, [{ job: job({ queue: 'fail-bulk', name: 'bulk' }), error: refused(1) }], t0);
    const fingerprint = fingerprintOf('TimeoutError', timeout(1, 1).message, timeout(1, 1).stack).fingerprint;
    const first = await failedJobIdsOfGroup(engine, { name: 'bulk', fingerprint, limit: 3 });
    const rest = await failedJobIdsOfGroup(engine, { name: 'bulk', fingerprint, limit: 3, before: first.next });
    expect([...first.ids, ...rest.ids]).toEqual(list.map((j) => j.id).reverse());
    expect(rest.next).toBeNull();
  });

  it('read the group list and one group\'s jobs through their own indexes, without a sort', async () => {
    const engine = await db.engine();
    const plan = async (sql: string, args: (string | number)[]) => (await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, args)).map((r) => r.detail);
    for (const after of [false, true]) {
      const list = await plan(failureGroupSql.list(after), after ? [1, 'a', 'b', 10] : [10]);
      expect(list[0]).toMatch(/^SCAN g USING INDEX failure_groups_recent_idx|^SEARCH g USING INDEX failure_groups_recent_idx/);
      expect(list.join('\n')).toMatch(/SEARCH f USING INDEX sqlite_autoindex_failure_fingerprints_1 \(fingerprint=\?\)/);
      const ids = await plan(failureGroupSql.jobIds(after), after ? ['n', 'f', 1, 'x', 10] : ['n', 'f', 10]);
      expect(ids).toEqual([expect.stringMatching(/^SEARCH jobs USING COVERING INDEX jobs_failure_idx \(name=\? AND fingerprint=\?/)]);
      expect([...list, ...ids].join('\n')).not.toMatch(/TEMP B-TREE/);
    }
  });
});

describe('migration 0005 on a database with failed jobs', () => {
  const dir = makeTempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts the jobs that failed before it in their job name\'s unknown group, which a retry then empties', async () => {
    // The migrations up to 0004, as a database made before this one has them.
    const old = migrationsBefore(dir, '0005');
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    const before = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag.startsWith('0005')));

    const engine = openFileEngine(path.join(dir, 'old.db'), 5_000);
    try {
      await migrate(engine, old);
      const legacy = [job({ name: 'legacy' }), job({ name: 'legacy' })];
      await enqueueJobs(engine, legacy, t0);
      // Failed as the code before 0005 did: no fingerprint column to write (claim would return it).
      await engine.run(`UPDATE jobs SET state = 'failed', completed_at = ?, error = 'old'`, [t0]);
      expect(await migrate(engine)).toEqual(journal.entries.slice(before.length).map((e) => e.tag)); // 0005 and any after it

      expect((await listFailureGroups(engine, { limit: 10 })).groups).toEqual([
        { name: 'legacy', fingerprint: 'unknown', errorName: null, message: null, frame: null, failed: 2, firstSeen: t0, lastSeen: t0 },
      ]);
      expect((await failedJobIdsOfGroup(engine, { name: 'legacy', fingerprint: 'unknown', limit: 10 })).ids.sort()).toEqual(legacy.map((j) => j.id).sort());
      await retryJobs(engine, [legacy[0].id], t0 + 1);
      expect((await listFailureGroups(engine, { limit: 10 })).groups).toMatchObject([{ name: 'legacy', fingerprint: 'unknown', failed: 1 }]);
    } finally {
      await engine.close();
    }
  });
});
