import type { FailureGroupCursor } from '@/store/failure-groups';

/**
 * The failures page's `?after=` cursor: the last group of a page (its last
 * failure time, job name and fingerprint, the list's keyset order), wrapped as
 * base64url JSON like GET /api/jobs' cursor, so a job name with any character
 * travels in a URL and people do not build it by hand.
 * @example decodeFailureGroupCursor(encodeFailureGroupCursor({ lastSeen: 1764000000000, name: 'send-email', fingerprint: 'ab12' })) // the same key
 */
export function encodeFailureGroupCursor(key: FailureGroupCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, at: key.lastSeen, name: key.name, fp: key.fingerprint })).toString('base64url');
}

/** The key a cursor stands for, or null for anything this page did not hand out. */
export function decodeFailureGroupCursor(cursor: string): FailureGroupCursor | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; at?: unknown; name?: unknown; fp?: unknown };
    if (value.v === 1 && Number.isSafeInteger(value.at) && typeof value.name === 'string' && typeof value.fp === 'string') {
      return { lastSeen: value.at as number, name: value.name, fingerprint: value.fp };
    }
  } catch {
    // fall through
  }
  return null;
}
