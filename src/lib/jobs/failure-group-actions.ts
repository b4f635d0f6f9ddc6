import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { activityMaxJobIds, appendActivity, type Actor } from '../../store/activity';
import { deleteJobs, retryJobs } from '../../store/admin';
import { failedJobIdsOfGroup, type GroupJobCursor } from '../../store/failure-groups';

/** A failure group: job name and fingerprint ('unknown' for jobs failed before fingerprints were recorded). */
export interface GroupKey {
  name: string;
  fingerprint: string;
}

/** Ids a group action reads and changes per write batch: each batch holds the write lock briefly, and workers go on between them. */
export const groupChunkSize = 500;

export type GroupAction = 'retry' | 'delete';

/** Calls `fn` with each chunk of the group's failed job ids, newest failure first, walking jobs_failure_idx as a keyset. */
async function walkGroup(engine: Engine, group: GroupKey, fn: (ids: string[]) => Promise<void>): Promise<void> {
  let before: GroupJobCursor | null = null;
  for (;;) {
    const chunk = await failedJobIdsOfGroup(engine, { ...group, limit: groupChunkSize, before });
    if (chunk.ids.length) await fn(chunk.ids);
    if (!chunk.next) return;
    // A keyset on (completed_at, id): a job the chunk left as it is (a live job holds its idempotency key) is not met again.
    before = chunk.next;
  }
}

/** The dry run: how many of the group's jobs are failed now (walked from the covering index, so exact). Changes nothing. */
export async function countFailedOfGroup(engine: Engine, group: GroupKey): Promise<number> {
  let count = 0;
  await walkGroup(engine, group, async (ids) => {
    count += ids.length;
  });
  return count;
}

/**
 * Retries ('retry': back to pending, due now) or deletes ('delete') every failed
 * job of the group, groupChunkSize per write batch, then writes one action-log
 * entry with the count and the first ids, and rings the workers after a retry.
 * Returns how many jobs it changed.
 */
export async function runGroupActionAs(engine: Engine, action: GroupAction, group: GroupKey, who: Actor): Promise<number> {
  const changed: string[] = [];
  let done = 0;
  await walkGroup(engine, group, async (ids) => {
    const now = Date.now();
    const chunkDone = action === 'retry' ? await retryJobs(engine, ids, now) : await deleteJobs(engine, ids);
    done += chunkDone.length;
    if (changed.length < activityMaxJobIds) changed.push(...chunkDone.slice(0, activityMaxJobIds - changed.length));
    if (action === 'retry' && chunkDone.length && engine.kind === 'file') ringDoorbell(engine.location, 'ready');
  });
  if (done > 0) {
    await appendActivity(engine, {
      actor: who, action: `job.${action}`, jobIds: changed, jobCount: done,
      details: { bulk: true, failureGroup: { name: group.name, fingerprint: group.fingerprint } },
    }, Date.now());
  }
  return done;
}
