import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { getConfig } from '@/config/env';
import { getEngine } from '@/db/client';
import { createJob, RetryLaterError } from '@/lib/jobs';
import { LeaseKeeper } from '@/lib/jobs/lease-keeper';
import { runClaimedJob } from '@/lib/jobs/run-claimed';
import { claimJobs } from '@/store/claim';
import { getJob } from '@/store/queries';

useTempDatabase();

const ComeBackLater = createJob('come-back-later', async (params: { delayMs: number }) => {
  throw new RetryLaterError('the server said: come back later', params.delayMs);
}, { maxAttempts: 3, backoff: { type: 'fixed', delay: 1_000 } });

async function runOnce(id: string) {
  const engine = await getEngine();
  const config = getConfig();
  const clock = { now: () => Date.now() };
  const keeper = new LeaseKeeper(engine, 'w-later', config.leaseMs, clock);
  const sentAt = performance.now();
  const [job] = await claimJobs(engine, { workerId: 'w-later', queues: [], limit: 1, now: Date.now(), leaseMs: config.leaseMs });
  expect(job.id).toBe(id);
  const before = Date.now();
  const { settled } = await runClaimedJob({ engine, config, workerId: 'w-later', keeper, clock }, job, ComeBackLater, sentAt);
  return { settled, before, after: Date.now(), row: (await getJob(engine, id))! };
}

/** A job that knows when to come back (an HTTP Retry-After) is retried then, not after its backoff. */
describe('RetryLaterError', () => {
  it('sets the next run to its delay instead of the backoff, and still counts the attempt', async () => {
    const id = await ComeBackLater.later({ delayMs: 90_000 });
    const { settled, before, after, row } = await runOnce(id);
    expect(settled.state).toBe('retrying');
    expect(row.state).toBe('pending');
    expect(row.attempts).toBe(1);
    // The fixed backoff would have said one second; the error asked for 90.
    expect(row.runAt).toBeGreaterThanOrEqual(before + 90_000);
    expect(row.runAt).toBeLessThanOrEqual(after + 90_000);
    expect(row.error).toBe('the server said: come back later');
  });

  it('with no attempts left the job fails like any error', async () => {
    const id = await ComeBackLater.later({ delayMs: 0 }, { maxAttempts: 1 });
    const { settled, row } = await runOnce(id);
    expect(settled.state).toBe('failed');
    expect(row.state).toBe('failed');
  });
});
