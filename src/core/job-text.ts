import { JobsError } from './errors';

/** Longest title and description a job may have, in characters (UTF-16 code units, as String.length counts). */
export const jobTextMaxChars = { title: 200, description: 2_000 } as const;

/**
 * A job's human title or description as stored: the text given, or null for
 * none; a bad_request error for anything but a string within its limit.
 * @example checkJobText('title', 'Nightly import') // 'Nightly import'
 * @example checkJobText('description', undefined) // null
 */
export function checkJobText(field: keyof typeof jobTextMaxChars, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new JobsError('bad_request', `A job's ${field} must be a string, got ${typeof value}`);
  const max = jobTextMaxChars[field];
  if (value.length > max) throw new JobsError('bad_request', `A job's ${field} is at most ${max} characters; this one has ${value.length}`);
  return value;
}
