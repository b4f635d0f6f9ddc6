import { z } from 'zod';
import type { JobState } from '../../core/states';
import { JobsError } from '../../core/errors';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { activityMaxJobIds, appendActivity, type Actor } from '../../store/activity';
import { cancelJobs, deleteJobs, retryJobs } from '../../store/admin';
import { resolveDependents } from '../../store/dependencies';
import { listJobIds, resolveJobId, type JobFilter, type PageKey } from '../../store/queries';
import { jobFilterBody, jobFilterFromBody } from './job-query';

/** Jobs a bulk action changes per write batch: each batch holds the write lock briefly, and workers go on between them. */
export const bulkChunkSize = 500;
/** Ids a bulk body may list; beyond that, give a filter. */
export const maxBulkIds = 1_000;

export const bulkBody = z.object({
  action: z.enum(['retry', 'cancel', 'delete']),
  ids: z.array(z.string().min(4).max(40)).min(1).max(maxBulkIds).optional(),
  filter: jobFilterBody.optional(),
  dryRun: z.boolean().optional(),
}).strict().refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: 'give either ids or filter' });

export type BulkAction = 'retry' | 'cancel' | 'delete';

/** The states each action applies to: other jobs are not matched. */
const actionStates: Record<BulkAction, readonly JobState[]> = {
  retry: ['failed', 'cancelled'],
  cancel: ['pending', 'running'],
  delete: ['completed', 'failed', 'cancelled'],
};

async function applyChunk(engine: Engine, action: BulkAction, ids: string[], now: number): Promise<string[]> {
  if (action === 'retry') {
    const retried = await retryJobs(engine, ids, now);
    if (retried.length && engine.kind === 'file') ringDoorbell(engine.location, 'ready');
    return retried;
  }
  if (action === 'delete') return deleteJobs(engine, ids);
  const { cancelled, cancelling } = await cancelJobs(engine, ids, now);
  if (cancelled.length) await resolveDependents(engine, { parentIds: cancelled, now });
  if (cancelling.length && engine.kind === 'file') ringDoorbell(engine.location, 'cancel');
  return [...cancelled, ...cancelling];
}

/**
 * Runs a bulk action over the jobs named by `ids` or matched by `filter`
 * (only those in a state the action applies to), newest first, a chunk of
 * bulkChunkSize per write batch, walking the ids as a keyset so a changed job
 * is never met twice. A dry run counts the matches and changes nothing.
 * One action-log entry for the whole run. Returns {matched} or {done}.
 */
export async function runBulk(engine: Engine, body: z.output<typeof bulkBody>, who: Actor): Promise<{ matched: number } | { done: number }> {
  const action = body.action;
  const ids = body.ids && [...new Set(await Promise.all(body.ids.map((typed) => resolveJobId(engine, typed))))];
  const base: Omit<JobFilter, 'limit'> = ids ? { ids } : jobFilterFromBody(body.filter!);
  if (base.state && !actionStates[action].includes(base.state)) {
    throw new JobsError('bad_request', `${action} applies to ${actionStates[action].join(' or ')} jobs, not ${base.state}`);
  }
  const filter: Omit<JobFilter, 'limit'> = { ...base, states: actionStates[action] };
  let before: PageKey | undefined;
  let matched = 0;
  const changed: string[] = [];
  let done = 0;
  for (;;) {
    const chunk = await listJobIds(engine, { ...filter, before, limit: bulkChunkSize });
    if (chunk.length === 0) break;
    before = { id: chunk[chunk.length - 1] };
    matched += chunk.length;
    if (!body.dryRun) {
      const ids = await applyChunk(engine, action, chunk, Date.now());
      done += ids.length;
      if (changed.length < activityMaxJobIds) changed.push(...ids.slice(0, activityMaxJobIds - changed.length));
    }
    if (chunk.length < bulkChunkSize) break;
  }
  if (body.dryRun) return { matched };
  if (done > 0) {
    await appendActivity(engine, {
      actor: who, action: `job.${action}`, jobIds: changed, jobCount: done,
      details: { bulk: true, ...(body.filter ? { filter: body.filter } : {}) },
    }, Date.now());
  }
  return { done };
}
