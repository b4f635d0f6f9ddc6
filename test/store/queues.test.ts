import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { claimJobs, promoteDueJobs } from '@/store/claim';
import { enqueueJobs, type NewJob } from '@/store/enqueue';
import { retryJob } from '@/store/finish';
import { reapAllRunning } from '../helpers/leases';
import { listQueues, pauseQueue, resumeQueue } from '@/store/queues';
import { getJob } from '@/store/queries';
import { newJobId } from '@/core/ids';

const db = useTempDatabase();
const t0 = Date.UTC(2026, 0, 1);
const job = (overrides: Partial<NewJob> = {}): NewJob => ({
  id: newJobId(), name: 'demo', queue: 'q', priority: 0, params: '{}', maxAttempts: 3,
  backoff: null, timeoutMs: 1000, runAt: t0, idempotencyKey: null, ...overrides,
});
const claim = async (queues: string[] = [], now = t0) =>
  (await claimJobs(await db.engine(), { workerId: 'w', queues, limit: 10, now, leaseMs: 1000 })).map((j) => j.id);

describe('pausing a queue', () => {
  it('holds its waiting jobs, the ones enqueued, coming due, retried or taken back meanwhile, and resume releases them all', async () => {
    const engine = await db.engine();
    const running = job();
    await enqueueJobs(engine, [running], t0);
    expect(await claim()).toEqual([running.id]);

    const waiting = job();
    const delayed = job({ runAt: t0 + 1_000 });
    const other = job({ queue: 'other' });
    await enqueueJobs(engine, [waiting, delayed, other], t0);
    expect(await pauseQueue(engine, 'q', t0)).toBe(1);

    const enqueuedWhilePaused = job();
    await enqueueJobs(engine, [enqueuedWhilePaused], t0);
    expect(await promoteDueJobs(engine, t0 + 1_000)).toBe(1);
    // the running job fails, to be retried at once
    await retryJob(engine, { jobId: running.id, workerId: 'w', attempt: 1 }, { outcome: 'failed', runAt: t0 + 1_000, now: t0 + 1_000, logs: [] });

    expect(await claim([], t0 + 2_000)).toEqual([other.id]); // only the other queue
    expect(await claim(['q'], t0 + 2_000)).toEqual([]);
    for (const id of [waiting.id, delayed.id, enqueuedWhilePaused.id, running.id]) {
      expect(await getJob(engine, id)).toMatchObject({ state: 'pending', scheduled: 2 });
    }
    expect((await listQueues(engine)).find((q) => q.queue === 'q')).toEqual({ queue: 'q', paused: true, pending: 4, running: 0, rateLimit: null });

    expect(await resumeQueue(engine, 'q')).toBe(4);
    expect((await claim([], t0 + 2_000)).sort()).toEqual([waiting.id, delayed.id, enqueuedWhilePaused.id, running.id].sort());
    expect((await listQueues(engine)).find((q) => q.queue === 'q')).toMatchObject({ paused: false, running: 4 });
    await reapAllRunning(engine, t0 + 60_000); // clean up for other tests
  });
});
