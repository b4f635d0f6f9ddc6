import { JobsError } from '../../core/errors';

/**
 * The opaque keyset cursor of GET /api/jobs: the last id of a page, wrapped so
 * clients do not build it themselves. Ids are UUIDv7 and pages walk them newest
 * first, so a page after the cursor never shifts when jobs are added.
 * @example decodeCursor(encodeCursor('019a885b-230f-7479-bb63-56f68f970aa1')) // '019a885b-230f-7479-bb63-56f68f970aa1'
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, before: lastId })).toString('base64url');
}

/** The id a cursor stands for, or a bad_request error for anything this API did not hand out. */
export function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; before?: unknown };
    if (value.v === 1 && typeof value.before === 'string' && /^[0-9a-f-]{36}$/.test(value.before)) return value.before;
  } catch {
    // fall through
  }
  throw new JobsError('bad_request', 'cursor: must be a nextCursor this endpoint returned');
}
