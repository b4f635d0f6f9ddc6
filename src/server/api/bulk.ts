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
export const bulkActionStates: Record<BulkAction, readonly JobState[]> = {
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
 * Calls `fn` with each chunk of the ids `filter` matches, newest first,
 * bulkChunkSize at a time, walking the ids as a keyset so a job `fn` changed
 * (and that left the filter's states) or left as it is is never met twice.
 */
async function walkMatches(engine: Engine, filter: Omit<JobFilter, 'limit'>, fn: (ids: string[]) => Promise<void>): Promise<void> {
  let before: PageKey | undefined;
  for (;;) {
    const chunk = await listJobIds(engine, { ...filter, before, limit: bulkChunkSize });
    if (chunk.length) await fn(chunk);
    if (chunk.length < bulkChunkSize) return;
    before = { id: chunk[chunk.length - 1] };
  }
}

async function countMatches(engine: Engine, filter: Omit<JobFilter, 'limit'>): Promise<number> {
  let matched = 0;
  await walkMatches(engine, filter, async (ids) => {
    matched += ids.length;
  });
  return matched;
}

/**
 * Read-only. How many jobs a bulk `filter` matches in any state (the admin
 * page's "select all matching"), by the same walk as a dry run; param filters
 * look at the newest paramSearchLimit jobs, as in the list.
 */
export async function countBulkMatches(engine: Engine, filter: z.output<typeof jobFilterBody>): Promise<number> {
  return countMatches(engine, jobFilterFromBody(filter));
}

/** The states `action` applies to, in words: "failed or cancelled", "completed, failed or cancelled". */
export function bulkStatesText(action: BulkAction): string {
  const states = bulkActionStates[action];
  return states.length === 1 ? states[0] : `${states.slice(0, -1).join(', ')} or ${states[states.length - 1]}`;
}

/**
 * Runs a bulk action over the jobs named by `ids` or matched by `filter`
 * (only those in a state the action applies to; a filter's own state that it
 * does not apply to is a bad_request), newest first, a chunk of bulkChunkSize
 * per write batch, walking the ids as a keyset so a changed job is never met
 * twice. A dry run counts the matches and changes nothing. One action-log
 * entry for the whole run. Returns {matched} or {done}. The API's
 * POST /api/jobs/bulk and the admin page's bulk actions both call it.
 */
export async function runBulk(engine: Engine, body: z.output<typeof bulkBody>, who: Actor): Promise<{ matched: number } | { done: number }> {
  const action = body.action;
  const ids = body.ids && [...new Set(await Promise.all(body.ids.map((typed) => resolveJobId(engine, typed))))];
  const base: Omit<JobFilter, 'limit'> = ids ? { ids } : jobFilterFromBody(body.filter!);
  if (base.state && !bulkActionStates[action].includes(base.state)) {
    throw new JobsError('bad_request', `${action} applies to ${bulkStatesText(action)} jobs, not ${base.state}`);
  }
  const filter: Omit<JobFilter, 'limit'> = { ...base, states: bulkActionStates[action] };
  if (body.dryRun) return { matched: await countMatches(engine, filter) };
  const changed: string[] = [];
  let done = 0;
  await walkMatches(engine, filter, async (chunk) => {
    const ids = await applyChunk(engine, action, chunk, Date.now());
    done += ids.length;
    if (changed.length < activityMaxJobIds) changed.push(...ids.slice(0, activityMaxJobIds - changed.length));
  });
  if (done > 0) {
    await appendActivity(engine, {
      actor: who, action: `job.${action}`, jobIds: changed, jobCount: done,
      details: { bulk: true, ...(body.filter ? { filter: body.filter } : {}) },
    }, Date.now());
  }
  return { done };
}
