import { and, asc, count, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Engine } from '../db/engine';
import { jobAttempts, jobProgress, jobs, type AttemptRow, type JobRow, type ProgressRow } from '../db/schema';
import type { JobState } from '../core/states';
import { JobsError } from '../core/errors';
import { normalizeIdPrefix } from '../core/ids';

/** A job with everything recorded about it. */
export interface JobDetail extends JobRow {
  attemptHistory: AttemptRow[];
  progressHistory: ProgressRow[];
}

/** Read-only. The job with this exact id, or null. */
export async function getJob(engine: Engine, id: string): Promise<JobRow | null> {
  const rows = await engine.orm.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Read-only. The full id named by an id or a unique prefix of 4+ hex
 * characters (dashes optional). Throws not_found for no match and
 * ambiguous_id, with the matches, for several.
 */
export async function resolveJobId(engine: Engine, idOrPrefix: string): Promise<string> {
  const prefix = canonicalPrefix(normalizeIdPrefix(idOrPrefix));
  // Every id character sorts below 'g', so [prefix, prefix + 'g') is exactly the ids starting with prefix.
  const rows = await engine.orm
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(gte(jobs.id, prefix), lt(jobs.id, `${prefix}g`)))
    .orderBy(asc(jobs.id))
    .limit(10);
  if (rows.length === 0) throw new JobsError('not_found', `No job matches "${idOrPrefix}"`);
  if (rows.length > 1) {
    const ids = rows.map((r) => r.id);
    throw new JobsError('ambiguous_id', `"${idOrPrefix}" matches ${ids.length === 10 ? '10 or more' : ids.length} jobs; give more characters:\n  ${ids.join('\n  ')}`, { matches: ids });
  }
  return rows[0].id;
}

/** Puts dashes where a UUID has them, so `019a885b230f` finds `019a885b-230f-...`. */
function canonicalPrefix(prefix: string): string {
  const hex = prefix.replace(/-/g, '');
  const cuts = [8, 12, 16, 20];
  let out = '';
  for (let i = 0; i < hex.length; i++) out += (cuts.includes(i) ? '-' : '') + hex[i];
  return out;
}

/** Read-only. A job with its attempts and progress history, or not_found. */
export async function getJobDetail(engine: Engine, idOrPrefix: string): Promise<JobDetail> {
  const id = await resolveJobId(engine, idOrPrefix);
  const [job, attemptHistory, progressHistory] = [
    await getJob(engine, id),
    await engine.orm.select().from(jobAttempts).where(eq(jobAttempts.jobId, id)).orderBy(asc(jobAttempts.attempt)),
    await engine.orm.select().from(jobProgress).where(eq(jobProgress.jobId, id)).orderBy(asc(jobProgress.id)),
  ];
  if (!job) throw new JobsError('not_found', `No job matches "${idOrPrefix}"`);
  return { ...job, attemptHistory, progressHistory };
}

export interface JobFilter {
  state?: JobState;
  name?: string;
  queue?: string;
  /** Jobs a cron schedule enqueued. */
  scheduleName?: string;
  limit: number;
  /** Return jobs older than this id (the previous page's last id). */
  before?: string;
}

/** Read-only. Newest jobs first, filtered. */
export async function listJobs(engine: Engine, filter: JobFilter): Promise<JobRow[]> {
  const where: SQL[] = [];
  if (filter.state) where.push(eq(jobs.state, filter.state));
  if (filter.name) where.push(eq(jobs.name, filter.name));
  if (filter.queue) where.push(eq(jobs.queue, filter.queue));
  if (filter.scheduleName) where.push(eq(jobs.scheduleName, filter.scheduleName));
  if (filter.before) where.push(lt(jobs.id, filter.before));
  return engine.orm.select().from(jobs).where(and(...where)).orderBy(desc(jobs.id)).limit(filter.limit);
}

/** Read-only. How many jobs are in each state. */
export async function countByState(engine: Engine): Promise<Record<JobState, number>> {
  const rows = await engine.orm.select({ state: jobs.state, n: count() }).from(jobs).groupBy(jobs.state);
  const counts: Record<JobState, number> = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const row of rows) counts[row.state] = row.n;
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
