import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { endJob } from '@/store/finish';
import { listActivity } from '@/store/activity';
import { listFailureGroups } from '@/store/failure-groups';
import { countByState } from '@/store/queries';
import { countFailedOfGroup, groupChunkSize, runGroupActionAs } from '@/lib/jobs/failure-group-actions';
import { newJobId } from '@/core/ids';
import type { Engine } from '@/db/engine';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1, 10, 0);
const job = (name: string): NewJob => ({
  id: newJobId(), name, queue: 'fail', priority: 0, params: '{}', maxAttempts: 1,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null,
});

/** Enqueues `count` jobs named `name`, claims them and fails each with `message` on its last attempt. */
async function failMany(engine: Engine, name: string, count: number, message: string): Promise<string[]> {
  const jobs = Array.from({ length: count }, () => job(name));
  await enqueueJobs(engine, jobs, t0);
  await claimJobs(engine, { workerId: 'w', queues: ['fail'], limit: count, now: t0, leaseMs: 60_000 });
  const error = { name: 'Error', message, stack: `Error: ${message}\n    at Job.perform (/srv/app/src/jobs/${name}.ts:3:7)` };
  for (const j of jobs) await endJob(engine, { jobId: j.id, workerId: 'w', attempt: 1 }, { state: 'failed', outcome: 'failed', error, now: t0, logs: [] });
  return jobs.map((j) => j.id);
}

describe('retry all / discard all of a failure group', () => {
  it('walk the group in chunks past the chunk size, change only its failed jobs, and log each run once with the count and the first ids', async () => {
    const engine = await db.engine();
    const many = groupChunkSize * 2 + 7;
    await failMany(engine, 'import', many, 'disk full');
    const others = await failMany(engine, 'import', 3, 'permission denied');
    const { groups } = await listFailureGroups(engine, { limit: 10 });
    const big = groups.find((g) => g.failed === many)!;
    const small = groups.find((g) => g.failed === 3)!;
    expect(big && small).toBeTruthy();

    expect(await countFailedOfGroup(engine, big)).toBe(many);
    expect((await countByState(engine)).failed).toBe(many + 3);

    expect(await runGroupActionAs(engine, 'retry', big, 'admin')).toBe(many);
    expect(await countFailedOfGroup(engine, big)).toBe(0);
    expect((await countByState(engine)).pending).toBe(many);
    expect(await countFailedOfGroup(engine, small)).toBe(3);

    expect(await runGroupActionAs(engine, 'delete', small, 'cli')).toBe(3);
    expect((await countByState(engine)).failed).toBe(0);
    expect((await countByState(engine)).pending).toBe(many);
    // Nothing left to change: no run, no entry.
    expect(await runGroupActionAs(engine, 'delete', small, 'cli')).toBe(0);

    const { entries } = await listActivity(engine, { limit: 10 });
    expect(entries.map((e) => [e.action, e.actor, e.jobCount])).toEqual([['job.delete', 'cli', 3], ['job.retry', 'admin', many]]);
    expect(entries[1].jobIds).toHaveLength(1_000);
    expect([...entries[0].jobIds].sort()).toEqual([...others].sort());
    expect(entries[1].details).toMatchObject({ bulk: true, failureGroup: { name: 'import', fingerprint: big.fingerprint } });
  }, 60_000);
});
