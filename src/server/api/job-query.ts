import { z } from 'zod';
import { getConfig } from '../../config/env';
import { jobStates } from '../../core/states';
import { JobsError } from '../../core/errors';
import { paramFilters } from '../../lib/jobs/param-filter';
import { registry } from '../../jobs';
import type { JobFilter } from '../../store/queries';
import { decodeCursor } from './cursor';

/** Jobs a page of GET /api/jobs holds at most, and by default. */
export const maxPageLimit = 500;
export const defaultPageLimit = 50;
/** The legacy `offset` paging (NestJS clients) goes this deep at most; beyond it, use the cursor. */
export const maxOffset = 10_000;

const limitError = `limit must be a whole number from 1 to ${maxPageLimit}`;
const offsetError = `offset must be a whole number from 0 to ${maxOffset}; page further with cursor`;
const stateError = `must be one of ${jobStates.join(', ')}`;

export const jobListQuery = z.object({
  state: z.enum(jobStates, { error: stateError }).optional(),
  /** The NestJS service's name for state. */
  status: z.enum(jobStates, { error: stateError }).optional(),
  name: z.string().min(1).max(200).optional(),
  /** The NestJS service's name for name. */
  type: z.string().min(1).max(200).optional(),
  queue: z.string().min(1).max(100).optional(),
  limit: z.coerce.number({ error: limitError }).int({ error: limitError }).min(1, { error: limitError }).max(maxPageLimit, { error: limitError }).default(defaultPageLimit),
  offset: z.coerce.number({ error: offsetError }).int({ error: offsetError }).min(0, { error: offsetError }).max(maxOffset, { error: offsetError }).optional(),
  cursor: z.string().max(200).optional(),
}).strict();

/** The filter part shared by GET /api/jobs and a bulk action's `filter`: state, name, queue and params. */
export const jobFilterBody = z.object({
  state: z.enum(jobStates, { error: stateError }).optional(),
  name: z.string().min(1).max(200).optional(),
  queue: z.string().min(1).max(100).optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
}).strict();

/** A job name as stored: a registered class's name for any spelling the CLI takes, else the text as given. */
function storedName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const jobClass = registry.get(name);
  return jobClass ? registry.list().find((entry) => entry.jobClass === jobClass)?.name : name;
}

/** The list filter from a query string: `param.<path>=<value>` keys become param filters, the rest is checked by jobListQuery. */
export function jobFilterFromQuery(url: URL): { filter: JobFilter; paramSearch: boolean } {
  const plain: Record<string, string> = {};
  const pairs: [string, string][] = [];
  for (const [key, value] of url.searchParams) {
    if (key.startsWith('param.')) pairs.push([key.slice('param.'.length), value]);
    else plain[key] = value;
  }
  const query = jobListQuery.parse(plain);
  if (query.state && query.status && query.state !== query.status) throw new JobsError('bad_request', 'state and status disagree; give one');
  if (query.name && query.type && query.name !== query.type) throw new JobsError('bad_request', 'name and type disagree; give one');
  if (query.cursor !== undefined && query.offset !== undefined) throw new JobsError('bad_request', 'Give either cursor or offset, not both');
  const params = pairs.length ? paramFilters(pairs, getConfig().redactKeys) : undefined;
  return {
    filter: {
      state: query.state ?? query.status,
      name: storedName(query.name ?? query.type),
      queue: query.queue,
      params,
      limit: query.limit,
      before: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      offset: query.offset,
    },
    paramSearch: Boolean(params),
  };
}

/** A bulk action's filter as a store filter (without limit). */
export function jobFilterFromBody(body: z.output<typeof jobFilterBody>): Omit<JobFilter, 'limit'> {
  const pairs = Object.entries(body.params ?? {}).map(([k, v]) => [k, v === null ? 'null' : String(v)] as [string, string]);
  return {
    state: body.state,
    name: storedName(body.name),
    queue: body.queue,
    params: pairs.length ? paramFilters(pairs, getConfig().redactKeys) : undefined,
  };
}
