import type { Engine } from '../db/engine';
import { countedDelete } from './counted-delete';
import type { JobEventRow } from '../db/schema';

/**
 * The change feed (table job_events), written by the triggers of migration
 * 0004 in the same transaction as each change. SQLite has one writer at a
 * time, so ids become visible in commit order with no holes: a reader that
 * has seen id N and asks for `id > N` misses nothing.
 */

const columns = 'id, job_id AS jobId, kind, queue, name, state, scheduled, progress, attempt, at';

/** Read-only. Changes after `afterId`, oldest first, at most `limit`; only one job's if `jobId` is given. */
export async function readChanges(engine: Engine, afterId: number, limit: number, jobId?: string): Promise<JobEventRow[]> {
  if (jobId === undefined) return engine.all<JobEventRow>(`SELECT ${columns} FROM job_events WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit]);
  return engine.all<JobEventRow>(`SELECT ${columns} FROM job_events WHERE id > ? AND job_id = ? ORDER BY id LIMIT ?`, [afterId, jobId, limit]);
}

/** Read-only. The newest change's id (0 for none) and the oldest one still kept (null for none): two rowid seeks. */
export async function changeFeedBounds(engine: Engine): Promise<{ newest: number; oldest: number | null }> {
  const [row] = await engine.all<{ newest: number | null; oldest: number | null }>(
    'SELECT (SELECT max(id) FROM job_events) AS newest, (SELECT min(id) FROM job_events) AS oldest',
  );
  return { newest: row?.newest ?? 0, oldest: row?.oldest ?? null };
}

/** Rows deleted per transaction, so pruning never holds the write lock for long. */
const pruneChunk = 5_000;

/**
 * Deletes changes older than `keepSince` (epoch ms) and any beyond the newest
 * `keepAtMost`, a chunk per transaction, but never one not yet folded into the
 * counts (store/fold.ts). The newest change is always kept, so
 * the rowid never starts again below an id a client has seen. Returns how many it deleted.
 */
export async function pruneChanges(engine: Engine, keepSince: number, keepAtMost: number): Promise<number> {
  const { newest, oldest } = await changeFeedBounds(engine);
  if (oldest === null) return 0;
  const [firstKept] = await engine.all<{ id: number }>('SELECT id FROM job_events WHERE at >= ? ORDER BY id LIMIT 1', [keepSince]);
  // Changes not yet folded into the counts stay, however old: the fold needs them.
  const [{ folded }] = await engine.all<{ folded: number }>('SELECT folded FROM feed_state WHERE id = 1');
  const cutoff = Math.min(firstKept?.id ?? newest, newest - keepAtMost + 1, newest, Number(folded) + 1);
  let deleted = 0;
  for (let from = oldest; from < cutoff; from += pruneChunk) {
    deleted += await countedDelete(engine, 'DELETE FROM job_events WHERE id >= ? AND id < ?', [from, Math.min(from + pruneChunk, cutoff)]);
  }
  return deleted;
}
