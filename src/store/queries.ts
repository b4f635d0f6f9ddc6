import { foldBeforeReading } from './fold';
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Engine } from '../db/engine';
import { jobAttempts, jobDependencies, jobProgress, jobs, workers, type AttemptRow, type JobRow, type ProgressRow } from '../db/schema';
import type { JobState } from '../core/states';
import { JobsError } from '../core/errors';
import { parseJobIdQuery } from '../core/ids';
import { readJobCounts } from './stats';

// The job lists live in job-list.ts; re-exported so that every reader imports store reads from here.
export { listJobIds, listJobs, listOrderOf, pageKeyOf, paramSearchLimit, type JobFilter, type ListOrder, type PageKey, type ParamFilter } from './job-list';

/** A job with everything recorded about it. */
export interface JobDetail extends JobRow {
  attemptHistory: AttemptRow[];
  progressHistory: ProgressRow[];
  /** The ids of the jobs it depends on. */
  dependsOn: string[];
}

/** Read-only. The job with this exact id, or null. */
export async function getJob(engine: Engine, id: string): Promise<JobRow | null> {
  const rows = await engine.orm.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Read-only. The full id named by what a person typed: the id, a unique
 * prefix or tail of 4+ hex characters (dashes optional), or the short form
 * `019a885b…0aa1` (or `...`). A plain value is read as a prefix first, and as
 * a tail only when no id starts with it. Throws bad_request for text that
 * cannot name a job, not_found for no match and ambiguous_id, with the
 * matches, for several.
 */
export async function resolveJobId(engine: Engine, typed: string): Promise<string> {
  const query = parseJobIdQuery(typed);
  let ids: string[];
  if (query.kind === 'ends') {
    ids = query.prefix ? await idsStartingWith(engine, query.prefix, query.tail) : await idsEndingWith(engine, query.tail);
  } else {
    ids = await idsStartingWith(engine, query.prefix, '');
    // A whole id (32 hex characters) can only end like itself.
    if (ids.length === 0 && query.prefix.replace(/-/g, '').length < 32) ids = await idsEndingWith(engine, query.tail);
  }
  if (ids.length === 0) throw new JobsError('not_found', `No job matches "${typed}"`);
  if (ids.length > 1) {
    throw new JobsError('ambiguous_id', `"${typed}" matches ${ids.length === maxMatches ? `${maxMatches} or more` : ids.length} jobs; give more characters:\n  ${ids.join('\n  ')}`, { matches: ids });
  }
  return ids[0];
}

/** Matches an ambiguous id lists, at most. */
const maxMatches = 10;

/** The two id lookups resolveJobId makes, as queries (tests read their plans). */
export const jobIdLookups = {
  /**
   * Ids starting with `prefix` (and ending with `tail`, if given): a range
   * scan of the primary key, since every id character sorts below 'g', so
   * [prefix, prefix + 'g') is exactly the ids starting with prefix.
   */
  startingWith: (engine: Engine, prefix: string, tail: string) => {
    const where = [gte(jobs.id, prefix), lt(jobs.id, `${prefix}g`)];
    if (tail) where.push(sql`substr(${jobs.id}, ${-tail.length}) = ${tail}`);
    return engine.orm.select({ id: jobs.id }).from(jobs).where(and(...where)).orderBy(asc(jobs.id)).limit(maxMatches);
  },
  /**
   * Ids ending with `tail`. No index orders ids by their end, so this scans
   * the whole primary-key index (the ids alone, not the table): about 0.1 s
   * per million jobs on a local file, on a 2-core VM. Only a typed tail that
   * is no id's prefix, or a bare `…0aa1`, comes here; the short form with
   * both ends scans only the ids of its prefix.
   */
  endingWith: (engine: Engine, tail: string) =>
    engine.orm.select({ id: jobs.id }).from(jobs).where(sql`substr(${jobs.id}, ${-tail.length}) = ${tail}`).orderBy(asc(jobs.id)).limit(maxMatches),
};

const idsStartingWith = async (engine: Engine, prefix: string, tail: string) => (await jobIdLookups.startingWith(engine, prefix, tail)).map((r) => r.id);
const idsEndingWith = async (engine: Engine, tail: string) => (await jobIdLookups.endingWith(engine, tail)).map((r) => r.id);

/**
 * Read-only. The ids each job depends on, for a page of jobs in one query
 * (the primary key of job_dependencies leads with job_id; the ids go in as
 * one JSON argument, so a page of any size fits). Jobs without
 * dependencies are absent from the map.
 */
export async function dependsOnOf(engine: Engine, jobIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (jobIds.length === 0) return out;
  const rows = await engine.orm.select({ jobId: jobDependencies.jobId, parentId: jobDependencies.parentId }).from(jobDependencies)
    .where(sql`${jobDependencies.jobId} IN (SELECT value FROM json_each(${JSON.stringify(jobIds)}))`).orderBy(asc(jobDependencies.jobId), asc(jobDependencies.parentId));
  for (const row of rows) out.set(row.jobId, [...(out.get(row.jobId) ?? []), row.parentId]);
  return out;
}

/** Read-only. A job with its attempts and progress history, or not_found. */
export async function getJobDetail(engine: Engine, idOrPrefix: string): Promise<JobDetail> {
  const id = await resolveJobId(engine, idOrPrefix);
  const [job, attemptHistory, progressHistory, dependsOn] = [
    await getJob(engine, id),
    await engine.orm.select().from(jobAttempts).where(eq(jobAttempts.jobId, id)).orderBy(asc(jobAttempts.attempt)),
    await engine.orm.select().from(jobProgress).where(eq(jobProgress.jobId, id)).orderBy(asc(jobProgress.id)),
    (await dependsOnOf(engine, [id])).get(id) ?? [],
  ];
  if (!job) throw new JobsError('not_found', `No job matches "${idOrPrefix}"`);
  return { ...job, attemptHistory, progressHistory, dependsOn };
}

/**
 * How many jobs are in each state, from job_counts (the change feed folded
 * in first, a write of derived rows only): a few rows
 * per queue, never a count of the jobs table, which the home page asked for
 * every second (0.4-0.6 s a time with 1,000,000 jobs).
 */
export async function countByState(engine: Engine): Promise<Record<JobState, number>> {
  const counts: Record<JobState, number> = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  await foldBeforeReading(engine);
  for (const row of await readJobCounts(engine)) counts[row.state] += Number(row.n);
  return counts;
}

/**
 * Read-only. Whether a draining worker must wait on: a job of its names and
 * queues running in any worker (it may fail and retry, or its worker may be
 * dead and its lease about to be taken over), or one waiting for a retry (an
 * attempt of it already ran). Jobs delayed by their caller or by cron do not count.
 */
export async function hasUnsettledJobs(engine: Engine, args: { names: readonly string[]; queues: readonly string[] }): Promise<boolean> {
  const scope = `AND name IN (SELECT value FROM json_each(?))${args.queues.length ? ' AND queue IN (SELECT value FROM json_each(?))' : ''}`;
  const scopeArgs = [JSON.stringify(args.names), ...(args.queues.length ? [JSON.stringify(args.queues)] : [])];
  const [row] = await engine.all<{ unsettled: number }>(
    `SELECT EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_lease_idx WHERE state = 'running' ${scope})
         OR EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_due_idx WHERE state = 'pending' AND scheduled = 1 AND attempts > 0 ${scope}) AS unsettled`,
    [...scopeArgs, ...scopeArgs],
  );
  return Number(row.unsettled) === 1;
}

/** A worker as recorded: its heartbeat, and whether it stopped cleanly. */
export type WorkerRow = typeof workers.$inferSelect;

/** Read-only. Every recorded worker, the most recently heard from first, at most `limit`. */
export async function listWorkers(engine: Engine, limit: number): Promise<WorkerRow[]> {
  return engine.orm.select().from(workers).orderBy(desc(workers.lastHeartbeatAt)).limit(limit);
}
