import { getConfig } from '../../config/env';
import { getEngine } from '../../db/client';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { JobsError } from '../../core/errors';
import { enqueueInTransaction, enqueueJobs, type NewJob } from '../../store/enqueue';
import { jobEvents } from './events';
import type { JobClass } from './job';
import { buildNewJob } from './job-spec';
import type { LaterOptions } from './types';

/**
 * Validates and stores jobs of one class, then wakes idle workers. Nothing is
 * written unless every job in the list is valid.
 */
export async function enqueueMany(jobClass: JobClass, list: unknown[], options: LaterOptions): Promise<string[]> {
  if (list.length === 0) return [];
  const config = getConfig();
  const now = Date.now();
  const rows = list.map((params) => buildNewJob(jobClass, params, options, config, now));
  const engine = await getEngine();
  return storeNewJobs(engine, rows, now, options.tx);
}

/** Inserts rows already built and announces them: the one path every enqueue (API, CLI, cron) takes. */
export async function storeNewJobs(engine: Engine, rows: NewJob[], now: number, tx?: unknown): Promise<string[]> {
  let ids: string[];
  if (tx) {
    if (rows.length !== 1) throw new JobsError('bad_request', 'laterMany() does not take a transaction; call later() in it');
    ids = [await enqueueInTransaction(tx as Parameters<typeof enqueueInTransaction>[0], rows[0], now)];
  } else {
    ids = await enqueueJobs(engine, rows, now);
  }
  if (engine.kind === 'file') ringDoorbell(engine.location, rows.some((row) => row.runAt > now));
  rows.forEach((row, i) => {
    if (ids[i] !== row.id) return; // an idempotency key returned an existing job
    const event = { jobId: row.id, jobName: row.name, queue: row.queue, runAt: row.runAt };
    jobEvents.emit(row.runAt > now ? 'job.scheduled' : 'job.enqueued', event);
  });
  return ids;
}
