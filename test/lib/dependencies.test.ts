import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { createJob, type ParentJob } from '@/lib/jobs';
import { getJob } from '@/store/queries';
import { resolveDependents } from '@/store/dependencies';

const db = useTempDatabase();
const seen: Record<string, ParentJob[]> = {};
const Step = createJob('dep-step', async ({ name, fail }: { name: string; fail?: boolean }, ctx) => {
  seen[name] = await ctx.parents();
  if (fail) throw new Error(`${name} broke`);
  return { name };
}, { maxAttempts: 1 });

const row = async (id: string) => (await getJob(await db.engine(), id))!;

describe('dependencies', () => {
  it('a chain runs in order: each job waits, blocked, until the one before it completed', async () => {
    const a = await Step.later({ name: 'a' });
    const b = await Step.later({ name: 'b' }, { dependsOn: [a] });
    const c = await Step.later({ name: 'c' }, { dependsOn: [b] });
    expect(await row(b)).toMatchObject({ state: 'pending', scheduled: 3 });
    expect(await row(c)).toMatchObject({ state: 'pending', scheduled: 3 });

    await Step.executeFromDatabase(a);
    expect(await row(b)).toMatchObject({ state: 'pending', scheduled: 0 });
    expect(await row(c)).toMatchObject({ scheduled: 3 });
    await Step.executeFromDatabase(b);
    expect(seen.b).toEqual([{ id: a, name: 'dep-step', state: 'completed', result: { name: 'a' } }]);
    expect(await row(c)).toMatchObject({ scheduled: 0 });
  });

  it('fan-in: the merge job waits for every parent and sees all their results', async () => {
    const parents = [await Step.later({ name: 'p1' }), await Step.later({ name: 'p2' }), await Step.later({ name: 'p3' })];
    const merge = await Step.later({ name: 'merge' }, { dependsOn: parents });
    await Step.executeFromDatabase(parents[0]);
    await Step.executeFromDatabase(parents[1]);
    expect(await row(merge)).toMatchObject({ scheduled: 3 });
    await Step.executeFromDatabase(parents[2]);
    expect(await row(merge)).toMatchObject({ scheduled: 0 });
    await Step.executeFromDatabase(merge);
    expect(seen.merge.map((p) => p.result)).toEqual(expect.arrayContaining([{ name: 'p1' }, { name: 'p2' }, { name: 'p3' }]));
  });

  it('when a parent fails, its dependents fail with the reason, down the chain, unless told to run anyway', async () => {
    const parent = await Step.later({ name: 'doomed', fail: true });
    const child = await Step.later({ name: 'child' }, { dependsOn: [parent] });
    const grandchild = await Step.later({ name: 'grandchild' }, { dependsOn: [child] });
    const stubborn = await Step.later({ name: 'stubborn' }, { dependsOn: [parent], onParentFailure: 'run' });
    await expect(Step.executeFromDatabase(parent)).rejects.toThrow(/doomed broke/);
    expect(await row(child)).toMatchObject({ state: 'failed', error: `A job it depends on did not complete: ${parent} was failed` });
    expect(await row(grandchild)).toMatchObject({ state: 'failed', error: `A job it depends on did not complete: ${child} was failed` });
    expect(await row(stubborn)).toMatchObject({ state: 'pending', scheduled: 0 });
    await Step.executeFromDatabase(stubborn);
    expect(seen.stubborn).toMatchObject([{ id: parent, state: 'failed', result: null }]);
  });

  it('a job whose parents already ended is resolved when it is enqueued', async () => {
    const done = await Step.later({ name: 'done-before' });
    await Step.executeFromDatabase(done);
    const late = await Step.later({ name: 'late' }, { dependsOn: [done] });
    expect(await row(late)).toMatchObject({ state: 'pending', scheduled: 0 });
  });

  it('the sweep resolves jobs whose parent ended without resolving them (a crash between the two)', async () => {
    const parent = await Step.later({ name: 'swept-parent' });
    const child = await Step.later({ name: 'swept-child' }, { dependsOn: [parent] });
    await (await db.engine()).run(`UPDATE jobs SET state = 'completed', completed_at = 1 WHERE id = ?`, [parent]);
    expect(await row(child)).toMatchObject({ scheduled: 3 });
    expect((await resolveDependents(await db.engine(), { now: Date.now() })).released).toContain(child);
    expect(await row(child)).toMatchObject({ scheduled: 0 });
  });

  it('refuses ids that are not jobs, and a bad failure policy, writing nothing', async () => {
    const before = (await (await db.engine()).all<{ n: number }>('SELECT count(*) AS n FROM jobs'))[0].n;
    await expect(Step.later({ name: 'x' }, { dependsOn: ['01a2aaaa-0000-7000-8000-000000000000'] })).rejects.toThrow(/dependsOn names jobs that do not exist: 01a2aaaa/);
    await expect(Step.later({ name: 'x' }, { dependsOn: [], onParentFailure: 'maybe' as never })).rejects.toThrow(/Invalid onParentFailure "maybe"/);
    expect((await (await db.engine()).all<{ n: number }>('SELECT count(*) AS n FROM jobs'))[0].n).toBe(before);
  });
  it('executeFromDatabase refuses a job that still waits for its parents, and runs nothing', async () => {
    const parent = await Step.later({ name: 'slow-parent' });
    const child = await Step.later({ name: 'eager-child' }, { dependsOn: [parent] });
    await expect(Step.executeFromDatabase(child)).rejects.toThrow(/still waits for the jobs it depends on/);
    expect(await row(child)).toMatchObject({ state: 'pending', scheduled: 3, attempts: 0 });
    expect(seen['eager-child']).toBeUndefined();
  });

  it('cleanup deletes the dependency rows of the jobs it deletes', async () => {
    const engine = await db.engine();
    const parent = await Step.later({ name: 'old-parent' });
    const child = await Step.later({ name: 'old-child' }, { dependsOn: [parent] });
    await engine.run(`UPDATE jobs SET state = 'completed', completed_at = 1 WHERE id IN (?, ?)`, [parent, child]);
    const { deleteFinishedJobs } = await import('@/store/cleanup');
    expect(await deleteFinishedJobs(engine, ['completed'], 2)).toBeGreaterThanOrEqual(2);
    expect(await engine.all(`SELECT * FROM job_dependencies WHERE job_id IN (?, ?) OR parent_id IN (?, ?)`, [parent, child, parent, child])).toEqual([]);
  });

  it('an enqueue that finds its idempotency key held by a live job writes no dependency rows for the id it never stored', async () => {
    const engine = await db.engine();
    const parent = await Step.later({ name: 'key-parent' });
    const holder = await Step.later({ name: 'key-holder' }, { idempotencyKey: 'deps-key' });
    const { enqueueJobs } = await import('@/store/enqueue');
    const { newJobId } = await import('@/core/ids');
    const ghost = newJobId();
    const [returned] = await enqueueJobs(engine, [{
      id: ghost, name: 'dep-step', queue: 'default', priority: 0, params: '{"name":"ghost"}', maxAttempts: 1, backoff: null,
      timeoutMs: 1_000, runAt: Date.now(), idempotencyKey: 'deps-key', dependsOn: [parent],
    }], Date.now());
    expect(returned).toBe(holder);
    expect(await engine.all(`SELECT * FROM job_dependencies WHERE job_id = ?`, [ghost])).toEqual([]);
    expect(await row(parent)).toMatchObject({ hasDependents: 0 });
  });
});
