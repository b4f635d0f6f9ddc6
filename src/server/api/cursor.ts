import { JobsError } from '../../core/errors';
import type { PageKey } from '../../store/queries';

/**
 * The opaque keyset cursor of GET /api/jobs: the last job of a page in the
 * list's order, wrapped so clients do not build it themselves. Version 1 holds
 * an id, for lists newest created first (ids are UUIDv7); version 2 also holds
 * the job's completed_at, for lists of one terminal state, newest finished
 * first. A page after either cursor never shifts when jobs are added or finish.
 * @example decodeCursor(encodeCursor({ id: '019a885b-230f-7479-bb63-56f68f970aa1' })) // { id: '019a885b-230f-7479-bb63-56f68f970aa1' }
 * @example decodeCursor(encodeCursor({ id: '019a885b-230f-7479-bb63-56f68f970aa1', completedAt: 1764000000000 })) // the same key
 */
export function encodeCursor(key: PageKey): string {
  const value = key.completedAt === undefined ? { v: 1, before: key.id } : { v: 2, before: key.id, at: key.completedAt };
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const idPattern = /^[0-9a-f-]{36}$/;

/**
 * The page key a cursor stands for, or a bad_request error for anything this
 * API did not hand out. Whether the key fits the list it is used on (an id key
 * for a list by creation, a finish-time key for a list by finish time) is
 * checked by listJobs, which knows the list's order.
 */
export function decodeCursor(cursor: string): PageKey {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; before?: unknown; at?: unknown };
    if (typeof value.before === 'string' && idPattern.test(value.before)) {
      if (value.v === 1) return { id: value.before };
      if (value.v === 2 && Number.isSafeInteger(value.at)) return { id: value.before, completedAt: value.at as number };
    }
  } catch {
    // fall through
  }
  throw new JobsError('bad_request', 'cursor: must be a nextCursor this endpoint returned');
}
