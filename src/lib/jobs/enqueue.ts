import { getConfig } from '../../config/env';
import { getEngine } from '../../db/client';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { JobsError } from '../../core/errors';
import { enqueueInTransaction, enqueueJobs, type NewJob } from '../../store/enqueue';
import { getJob } from '../../store/queries';
import { jobEvents } from './events';
import type { JobClass } from './job';
import { buildNewJob } from './job-spec';
import type { LaterOptions } from './types';

/**
 * Validates and stores jobs of one class, then wakes idle workers. Nothing is
 * written unless every job in the list is valid.
 */
export async function enqueueMany(jobClass: JobClass, list: unknown[], options: LaterOptions): Promise<string[]> {
  if (options.tx) throw new JobsError('bad_request', 'laterMany() does not take a transaction; call later() in it');
  if (list.length === 0) return [];
  const config = getConfig();
  const now = Date.now();
  const rows = list.map((params) => buildNewJob(jobClass, params, options, config, now));
  const engine = await getEngine();
  await checkParentsExist(engine, options.dependsOn);
  return storeNewJobs(engine, rows, now);
}

/**
 * Stores one job in the caller's Drizzle transaction. Not async on purpose:
 * a better-sqlite3 transaction is synchronous and ends when its callback
 * returns, so the insert must run before the first await. Workers are rung
 * on the next event-loop turn, after such a transaction has committed; with
 * an async driver's transaction the job is found at the next poll.
 */
export function enqueueInTransactionOf(jobClass: JobClass, params: unknown, options: LaterOptions): Promise<string> {
  try {
    if (options.dependsOn?.length) throw new JobsError('bad_request', 'A job enqueued in a transaction cannot have dependsOn yet');
    const now = Date.now();
    const row = buildNewJob(jobClass, params, options, getConfig(), now);
    const inserted = enqueueInTransaction(options.tx as Parameters<typeof enqueueInTransaction>[0], row, now);
    return Promise.resolve(inserted).then(async (id) => {
      announce(await getEngine(), [row], [id], now);
      return id;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Inserts rows already built and announces them: the path every enqueue (API, CLI, cron) takes. */
export async function storeNewJobs(engine: Engine, rows: NewJob[], now: number): Promise<string[]> {
  const ids = await enqueueJobs(engine, rows, now);
  announce(engine, rows, ids, now);
  return ids;
}

/** A job can only depend on jobs that exist: a typo would otherwise block it for ever. */
async function checkParentsExist(engine: Engine, ids: string[] | undefined): Promise<void> {
  if (!ids?.length) return;
  const found = new Set((await Promise.all(ids.map((id) => getJob(engine, id)))).filter(Boolean).map((job) => job!.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new JobsError('not_found', `dependsOn names jobs that do not exist: ${missing.join(', ')}`);
}

/** Wakes idle workers and emits one event per new job. */
function announce(engine: Engine, rows: NewJob[], ids: string[], now: number): void {
  if (engine.kind === 'file') ringDoorbell(engine.location, rows.some((row) => row.runAt > now) ? 'scheduled' : 'ready');
  rows.forEach((row, i) => {
    if (ids[i] !== row.id) return; // an idempotency key returned an existing job
    const event = { jobId: row.id, jobName: row.name, queue: row.queue, runAt: row.runAt };
    jobEvents.emit(row.runAt > now ? 'job.scheduled' : 'job.enqueued', event);
  });
}
