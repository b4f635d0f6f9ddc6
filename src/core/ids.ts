import { v7 } from 'uuid';
import { JobsError } from './errors';

/** A new job id: a UUIDv7, so ids sort by creation time (and break FIFO ties). */
export function newJobId(): string {
  return v7();
}

/**
 * Checks a full id or a prefix of one (4+ hex characters, dashes allowed) and returns it lower-cased.
 * @example normalizeIdPrefix('019A885B') // '019a885b'
 */
export function normalizeIdPrefix(value: string): string {
  const text = value.trim().toLowerCase();
  if (!/^[0-9a-f-]+$/.test(text) || text.replace(/-/g, '').length < 4) {
    throw new JobsError('bad_request', `"${value}" is not a job id or a prefix of one (4 or more hex characters)`);
  }
  return text;
}
