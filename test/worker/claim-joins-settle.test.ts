import { describe, expect, it } from 'vitest';
import { getConfig } from '@/config/env';
import type { Engine, Statement } from '@/db/engine';
import { Job, JobRegistry, jobEvents } from '@/lib/jobs';
import { countByState } from '@/store/queries';
import { createWorkerLog } from '@/worker/log';
import { Worker } from '@/worker/worker';
import { useTempDatabase } from '../helpers/db';

const db = useTempDatabase();

class CountedJob extends Job<{ i: number }, number> {
  static jobName = 'counted';
  static performing = 0;
  static mostAtOnce = 0;
  protected async perform({ i }: { i: number }): Promise<number> {
    CountedJob.performing++;
    CountedJob.mostAtOnce = Math.max(CountedJob.mostAtOnce, CountedJob.performing);
    await new Promise((resolve) => setImmediate(resolve));
    CountedJob.performing--;
    return i;
  }
}

const isSettle = (statements: Statement[]) => statements.some((s) => /INSERT OR IGNORE INTO job_attempts/.test(s.sql));
const isClaim = (sql: string) => /UPDATE jobs SET state = 'running'/.test(sql);

/**
 * The real engine, noting for each claim how many settles had been asked for
 * and not yet committed when the claim was asked: a claim asked while a
 * settle waits for its commit runs in the same transaction as that settle.
 */
function recording(engine: Engine, settlesWaitingAtClaims: number[]): Engine {
  let settlesWaiting = 0;
  return {
    kind: engine.kind, location: engine.location, orm: engine.orm,
    all: (sql, args) => {
      if (isClaim(sql)) settlesWaitingAtClaims.push(settlesWaiting);
      return engine.all(sql, args);
    },
    run: (sql, args) => engine.run(sql, args),
    batch: async (statements) => {
      if (statements.some((s) => isClaim(s.sql))) settlesWaitingAtClaims.push(settlesWaiting);
      if (!isSettle(statements)) return engine.batch(statements);
      settlesWaiting++;
      try {
        return await engine.batch(statements);
      } finally {
        settlesWaiting--;
      }
    },
    deferredBatch: (build) => {
      settlesWaitingAtClaims.push(settlesWaiting);
      return engine.deferredBatch(build);
    },
    close: () => engine.close(),
  };
}

describe('a worker\'s slots', () => {
  it('free when the job\'s code ends, so the next claim commits with the settle, and never run more jobs at once than its concurrency', async () => {
    const engine = await db.engine();
    const settlesWaitingAtClaims: number[] = [];
    const jobs = 12;
    await CountedJob.laterMany(Array.from({ length: jobs }, (_, i) => ({ i })));
    let completed = 0;
    const allDone = new Promise<void>((resolve) => {
      const off = jobEvents.on('job.completed', () => {
        if (++completed === jobs) (off(), resolve());
      });
    });
    const log = createWorkerLog(() => {}, { quiet: true });
    const worker = new Worker({
      engine: recording(engine, settlesWaitingAtClaims), config: getConfig(), registry: new JobRegistry([CountedJob]), queues: [], concurrency: 1, log,
    });
    await worker.start();
    await allDone;
    await worker.stop();
    log.detach();

    expect(CountedJob.mostAtOnce).toBe(1);
    expect(await countByState(engine)).toMatchObject({ completed: jobs, pending: 0, running: 0 });
    // Every job after the first was claimed while its predecessor's settle waited for its commit.
    // A worker that frees its slot only once the settle has committed asks every claim with none waiting.
    expect(settlesWaitingAtClaims.filter((waiting) => waiting > 0).length).toBeGreaterThanOrEqual(jobs - 1);
  });
});
