import { and, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Engine, Row } from '../db/engine';
import { jobs, type JobRow } from '../db/schema';
import { isTerminal, type JobState } from '../core/states';
import { JobsError } from '../core/errors';
import { toJobRow } from './rows';

/**
 * A filter on one param: the value at `path` (object keys) equals `text` as a
 * JSON string, `number` as a JSON number, or is the JSON literal `literal`
 * (true, false, null). Built from `k=v` by lib/jobs/param-filter.ts.
 */
export interface ParamFilter {
  path: string[];
  text: string;
  number: number | null;
  literal: 'true' | 'false' | 'null' | null;
}

/** Param filters look at the newest this many jobs only, so a search never reads the params of a million rows. */
export const paramSearchLimit = 100_000;

/**
 * Where the next page starts: the last job of the page before, by the list's
 * order (see listOrderOf): its id, and for a list by finish time its completed_at.
 */
export interface PageKey {
  id: string;
  completedAt?: number;
}

export interface JobFilter {
  state?: JobState;
  /** Any of these states (with `state`, both must hold). */
  states?: readonly JobState[];
  name?: string;
  queue?: string;
  /** Jobs a cron schedule enqueued. */
  scheduleName?: string;
  /** Only these ids. */
  ids?: readonly string[];
  /** All must match; searched among the newest paramSearchLimit jobs. */
  params?: readonly ParamFilter[];
  limit: number;
  /** Return the jobs after this one in the list's order (the previous page's last job, pageKeyOf). */
  before?: PageKey;
  /** Skip this many matches first (the legacy offset paging; a keyset `before` is cheaper). */
  offset?: number;
}

/**
 * How listJobs orders a filter's jobs: `finished`, newest finished first by
 * (completed_at, id), for a list of one terminal state; else `created`, newest
 * created first by id. Both keys are kept while a job is in the list (an id
 * never changes; completed_at is set once, when the job enters a terminal
 * state), so a walk page by page meets every job that stays in the list once,
 * in order: jobs enqueued or finishing meanwhile come with newer keys, at the
 * head, and jobs that leave (retried, deleted) are not met again. (A failed job
 * retried and failed again meanwhile leaves and comes back at the head.)
 */
export type ListOrder = 'created' | 'finished';

export function listOrderOf(filter: Pick<JobFilter, 'state'>): ListOrder {
  return filter.state && isTerminal(filter.state) ? 'finished' : 'created';
}

/** The key a page after `row` starts from, in the order of `filter`'s list. */
export function pageKeyOf(filter: Pick<JobFilter, 'state'>, row: Pick<JobRow, 'id' | 'completedAt'>): PageKey {
  return listOrderOf(filter) === 'finished' ? { id: row.id, completedAt: row.completedAt ?? 0 } : { id: row.id };
}

function paramCondition(filter: ParamFilter): SQL {
  const path = `$${filter.path.map((key) => `."${key.replace(/"/g, '""')}"`).join('')}`;
  const matches: SQL[] = [sql`(json_type(${jobs.params}, ${path}) = 'text' AND json_extract(${jobs.params}, ${path}) = ${filter.text})`];
  if (filter.number !== null) matches.push(sql`(json_type(${jobs.params}, ${path}) IN ('integer', 'real') AND json_extract(${jobs.params}, ${path}) = ${filter.number})`);
  if (filter.literal !== null) matches.push(sql`json_type(${jobs.params}, ${path}) = ${filter.literal}`);
  return sql`(${sql.join(matches, sql` OR `)})`;
}

/** The conditions of `filter` other than its page key. */
function filterConditions(filter: Omit<JobFilter, 'limit'>): SQL[] {
  const where: SQL[] = [];
  if (filter.state) where.push(eq(jobs.state, filter.state));
  if (filter.states) where.push(inArray(jobs.state, [...filter.states]));
  if (filter.name) where.push(eq(jobs.name, filter.name));
  if (filter.queue) where.push(eq(jobs.queue, filter.queue));
  if (filter.scheduleName) where.push(eq(jobs.scheduleName, filter.scheduleName));
  if (filter.ids) where.push(sql`${jobs.id} IN (SELECT value FROM json_each(${JSON.stringify(filter.ids)}))`);
  if (filter.params?.length) {
    // The oldest id among the newest paramSearchLimit: one walk of that many primary-key entries.
    where.push(sql`${jobs.id} >= coalesce((SELECT id FROM jobs ORDER BY id DESC LIMIT 1 OFFSET ${paramSearchLimit - 1}), '')`);
    where.push(...filter.params.map(paramCondition));
  }
  return where;
}

/**
 * The index a page is read from. SQLite has no ANALYZE statistics here, so the
 * plans that matter are pinned with INDEXED BY (which fails loudly, rather than
 * falling back to a walk of every id, if the index cannot serve the query).
 * - finished-index: jobs_finished_idx from the state's newest completed_at down;
 *   a page reads about limit / (share of the other filters) entries of that
 *   state, never another state's jobs.
 * - name-index: jobs_name_idx, all jobs of a name of at most namedFewLimit jobs,
 *   sorted: for a finished list of a rare (or mistyped) name, which the finished
 *   index would walk to its end looking for.
 * - bounded: param filters (the newest paramSearchLimit ids) or ids bound the
 *   walk; the planner takes that range and sorts the matches. Their keyset is
 *   written so that it cannot lead the planner to the finished index instead.
 * - running-index: jobs_lease_idx holds exactly the running jobs (at most the
 *   workers' total concurrency), sorted by id.
 * - pending-indexes: while at most namedFewLimit jobs are pending (in all queues),
 *   all of them, from the six partial indexes that hold the pending jobs of each
 *   wait reason (pendingIndexes), then the other filters, sorted: the pending tab
 *   of a quiet system, which a walk of ids would take to the oldest row before
 *   it knew there were no more.
 * - ids: the primary key from the newest id down. Many pending jobs are mostly
 *   the newest rows (workers take the oldest first), so their pages are short walks.
 */
type Plan = 'finished-index' | 'name-index' | 'bounded' | 'running-index' | 'pending-indexes' | 'ids';

/**
 * A name with at most this many jobs has a finished list read from jobs_name_idx;
 * while at most this many jobs are pending, the pending list reads them all (see Plan).
 */
export const namedFewLimit = 5_000;

/**
 * The partial index holding the pending jobs of each wait reason (the jobs.scheduled
 * code, as stats.ts's waitReasons names them): together, every pending job.
 */
export const pendingIndexes = {
  0: 'jobs_claim_idx', 1: 'jobs_due_idx', 2: 'jobs_paused_idx', 3: 'jobs_blocked_idx', 4: 'jobs_waiting_idx', 5: 'jobs_rate_claim_idx',
} as const;

/** The rowids of every pending job, one walk of each partial index of pendingIndexes. */
const pendingRowids = sql.raw(Object.entries(pendingIndexes)
  .map(([code, index]) => `SELECT rowid FROM jobs INDEXED BY ${index} WHERE state = 'pending' AND scheduled = ${code}`).join(' UNION ALL '));

/** Whether at most namedFewLimit rows come out of `rows`: it reads namedFewLimit + 1 of them at most. */
async function few(engine: Engine, rows: SQL): Promise<boolean> {
  const [{ n }] = await engine.orm.all<{ n: number }>(sql`SELECT count(*) AS n FROM (${rows} LIMIT ${namedFewLimit + 1})`);
  return Number(n) <= namedFewLimit;
}

async function planOf(engine: Engine, filter: JobFilter): Promise<Plan> {
  if (listOrderOf(filter) === 'created') {
    if (filter.state === 'running') return 'running-index';
    return filter.state === 'pending' && !filter.states && await few(engine, pendingRowids) ? 'pending-indexes' : 'ids';
  }
  if (filter.params?.length || filter.ids) return 'bounded';
  if (filter.name === undefined) return 'finished-index';
  // At most namedFewLimit + 1 entries of the name index, the ids alone.
  return await few(engine, sql`SELECT 1 FROM jobs INDEXED BY jobs_name_idx WHERE name = ${filter.name}`) ? 'name-index' : 'finished-index';
}

/** One page of `filter` by `plan`, as a statement; a `before` of the other order is a bad_request. */
function pageQuery(filter: JobFilter, plan: Plan, columns: SQL): SQL {
  const order = listOrderOf(filter);
  const where = filterConditions(filter);
  const key = filter.before;
  if (key && (key.completedAt !== undefined) !== (order === 'finished')) {
    throw new JobsError('bad_request', order === 'finished'
      ? 'cursor: lists of finished jobs are ordered by finish time now; this cursor is from the order by creation. Start again from the first page'
      : 'cursor: it is from a list ordered by finish time; start again from the first page of this list');
  }
  const from = {
    'finished-index': sql`jobs INDEXED BY jobs_finished_idx`,
    'name-index': sql`jobs INDEXED BY jobs_name_idx`,
    'running-index': sql`jobs INDEXED BY jobs_lease_idx`,
    // No index drives it (the planner would walk a name's index and test each rowid): only rowid lookups.
    'pending-indexes': sql`jobs NOT INDEXED`,
    bounded: sql`jobs`,
    ids: sql`jobs`,
  }[plan];
  // The partial indexes' own WHERE, as literals: SQLite uses one only when the query's WHERE implies it.
  if (plan === 'finished-index') where.push(sql`${jobs.completedAt} IS NOT NULL`);
  if (plan === 'running-index') where.push(sql`${jobs.state} = 'running'`);
  if (plan === 'pending-indexes') where.push(sql`jobs.rowid IN (${pendingRowids})`);
  if (key && order === 'created') where.push(lt(jobs.id, key.id));
  else if (key && plan === 'bounded') {
    where.push(sql`(coalesce(${jobs.completedAt}, 0) < ${key.completedAt} OR (coalesce(${jobs.completedAt}, 0) = ${key.completedAt} AND ${jobs.id} < ${key.id}))`);
  } else if (key) {
    where.push(sql`${jobs.completedAt} <= ${key.completedAt} AND (${jobs.completedAt} < ${key.completedAt} OR ${jobs.id} < ${key.id})`);
  }
  const orderBy = order === 'finished' ? sql`${jobs.completedAt} DESC, ${jobs.id} DESC` : sql`${jobs.id} DESC`;
  const offset = filter.offset ? sql` OFFSET ${filter.offset}` : sql``;
  return sql`SELECT ${columns} FROM ${from} WHERE ${where.length ? and(...where) : sql`1`} ORDER BY ${orderBy} LIMIT ${filter.limit}${offset}`;
}

/**
 * Read-only. A page of the jobs matching `filter`, in listOrderOf(filter): a
 * keyset walk from `before` (see Plan for the index each list reads), so pages
 * stay stable while jobs are added and finish. Param filters stop at the newest
 * paramSearchLimit jobs. A `before` from a list of the other order is a
 * bad_request (a cursor of one list handed to another).
 */
export async function listJobs(engine: Engine, filter: JobFilter): Promise<JobRow[]> {
  const rows = await engine.orm.all<Row>(pageQuery(filter, await planOf(engine, filter), sql`*`));
  return rows.map(toJobRow);
}

/** The statement listJobs runs for `filter` (tests read its plan). */
export async function listJobsQuery(engine: Engine, filter: JobFilter): Promise<SQL> {
  return pageQuery(filter, await planOf(engine, filter), sql`*`);
}

/**
 * Read-only. The ids of the jobs matching `filter`, newest created first
 * whatever the filter (its `before` is an id key): what a bulk action walks, a
 * chunk at a time, while the jobs it changes leave their state.
 */
export async function listJobIds(engine: Engine, filter: JobFilter): Promise<string[]> {
  const where = filterConditions(filter);
  if (filter.before) where.push(lt(jobs.id, filter.before.id));
  let from = sql`jobs`;
  if (filter.state === 'running') {
    from = sql`jobs INDEXED BY jobs_lease_idx`;
    where.push(sql`${jobs.state} = 'running'`);
  }
  const rows = await engine.orm.all<{ id: string }>(
    sql`SELECT id FROM ${from} WHERE ${where.length ? and(...where) : sql`1`} ORDER BY id DESC LIMIT ${filter.limit}`);
  return rows.map((r) => r.id);
}
