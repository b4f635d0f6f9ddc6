import { z } from 'zod';
import { JobsError } from '@/core/errors';
import { jobFilterBody } from '@/server/api/job-query';
import { paramPairsOfQuery, pathGivenTwice, type ParamPairs } from './param-search';

/** The jobs list's filters as its URL holds them. */
export interface JobListSearch {
  state?: string;
  name?: string;
  queue?: string;
  /** The id search: opens the job it names. */
  id?: string;
  /** `param.<path>=<value>` keys, all of which must match. */
  params?: ParamPairs;
}

/** The filter part of the list's URL: state, name, queue and `param.<path>` keys (blank ones left out). */
export function filterQuery(search: JobListSearch): URLSearchParams {
  const query = new URLSearchParams();
  for (const key of ['state', 'name', 'queue'] as const) if (search[key]) query.set(key, search[key]!);
  for (const [path, value] of search.params ?? []) query.append(`param.${path}`, value);
  return query;
}

/** The list's URL for these filters and page. */
export function listHref(search: JobListSearch & { cursor?: string }): string {
  const query = filterQuery(search);
  if (search.cursor) query.set('cursor', search.cursor);
  const text = query.toString();
  return text ? `/admin/jobs?${text}` : '/admin/jobs';
}

/**
 * A bulk action's filter (the shape POST /api/jobs/bulk takes) from the list's
 * filter query, as the page put it in its bulk form: the action then matches
 * what the list shows. A bad one is a bad_request in words.
 */
export function bulkFilterOfQuery(text: string): z.output<typeof jobFilterBody> {
  const query = new URLSearchParams(text);
  const pairs = paramPairsOfQuery(Object.fromEntries([...query.keys()].map((key) => [key, query.getAll(key)])));
  const parsed = jobFilterBody.safeParse({
    state: query.get('state') ?? undefined, name: query.get('name') ?? undefined, queue: query.get('queue') ?? undefined,
    params: pairs.length ? Object.fromEntries(pairs) : undefined,
  });
  if (!parsed.success) throw new JobsError('bad_request', `The list's filter: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  // A path given twice would be one key of the record, so the action would match what the list does not.
  const twice = pathGivenTwice(pairs);
  if (twice) throw new JobsError('bad_request', twice);
  return parsed.data;
}
