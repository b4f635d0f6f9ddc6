import { performance } from 'node:perf_hooks';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { getConfig } from '@/config/env';
import { getEngine } from '@/db/client';
import { createJob } from '@/lib/jobs';
import { LeaseKeeper } from '@/lib/jobs/lease-keeper';
import { runClaimedJob } from '@/lib/jobs/run-claimed';
import { claimJobs } from '@/store/claim';
import { getJob } from '@/store/queries';

useTempDatabase();

const performed: string[] = [];
const Recorded = createJob('stalled-claim-probe', async (params: { n: number }, ctx) => {
  performed.push(`${ctx.jobId}#${ctx.attempt}`);
  return params.n;
});

/**
 * A worker can stall (SIGSTOP, a VM paused, a long GC) anywhere, also in the
 * instant between its claim landing and the job's perform() starting. If the
 * stall outlasted the lease, a reaper may already have given the job to
 * another worker: starting perform() then would run one job twice at once.
 * The claim's lease runs from before it was sent (claimedAt), so the worker
 * can tell, by its own monotonic clock, without asking the database.
 */
describe('an attempt whose lease ran out before its perform() could start', () => {
  beforeEach(() => {
    performed.length = 0;
  });

  it('never starts: perform() is not called, nothing is written, and the job is left for a reaper', async () => {
    const engine = await getEngine();
    const config = getConfig();
    const clock = { now: () => Date.now() };
    const keeper = new LeaseKeeper(engine, 'w-stalled', config.leaseMs, clock);
    const id = await Recorded.later({ n: 1 });
    const sentAt = performance.now();
    const [job] = await claimJobs(engine, { workerId: 'w-stalled', queues: [], limit: 1, now: Date.now(), leaseMs: config.leaseMs });
    expect(job.id).toBe(id);

    // As if the process had been stopped for a whole lease right after the claim was sent.
    const { settled } = await runClaimedJob({ engine, config, workerId: 'w-stalled', keeper, clock }, job, Recorded, sentAt - config.leaseMs);
    expect(performed).toEqual([]);
    expect(settled.state).toBe('lost');
    const row = await getJob(engine, id);
    expect(row).toMatchObject({ state: 'running', attempts: 1, lockedBy: 'w-stalled', result: null });
  });

  it('a claim still inside its lease runs as usual', async () => {
    const engine = await getEngine();
    const config = getConfig();
    const clock = { now: () => Date.now() };
    const keeper = new LeaseKeeper(engine, 'w-fresh', config.leaseMs, clock);
    const id = await Recorded.later({ n: 2 });
    const sentAt = performance.now();
    const [job] = await claimJobs(engine, { workerId: 'w-fresh', queues: [], limit: 1, now: Date.now(), leaseMs: config.leaseMs });
    const { settled } = await runClaimedJob({ engine, config, workerId: 'w-fresh', keeper, clock }, job, Recorded, sentAt);
    expect(settled.state).toBe('completed');
    expect(performed).toEqual([`${id}#1`]);
  });
});
