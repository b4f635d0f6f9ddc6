import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ZodError } from 'zod';
import { isJobsError } from '@/core/errors';
import { jobStates, type JobState } from '@/core/states';
import { getEngine } from '@/db/client';
import { readJobsJson, type JobJson } from '@/lib/jobs/json';
import { readStats, type StateCounts } from '@/lib/jobs/stats';
import { encodeCursor } from '@/server/api/cursor';
import { jobFilterFromQuery } from '@/server/api/job-query';
import { listJobs, pageKeyOf, resolveJobId } from '@/store/queries';
import { JobFilters, type JobListSearch } from '../_components/job-filters';
import { AdminJobsTable } from '../_components/jobs-table';
import { StateTabs } from '../_components/state-tabs';
import { firstParam } from '../_lib/format';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

/** Jobs per page of the list. */
const pageSize = 50;

type Search = Promise<Record<string, string | string[] | undefined>>;

/** The list's URL for these filters (blank ones left out). */
function listHref(search: JobListSearch & { cursor?: string }): string {
  const query = new URLSearchParams();
  for (const key of ['state', 'name', 'queue', 'cursor'] as const) if (search[key]) query.set(key, search[key]!);
  const text = query.toString();
  return text ? `/admin/jobs?${text}` : '/admin/jobs';
}

/** A filter's problem in words, or the error thrown again when it is a bug. */
function problemOf(error: unknown): string {
  if (isJobsError(error)) return error.message;
  if (error instanceof ZodError) return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw error;
}

/** The jobs list: state tabs with counts, name and queue filters, id search, keyset pages. */
export default async function JobsPage({ searchParams }: { searchParams: Search }) {
  const raw = await searchParams;
  const search: JobListSearch & { cursor?: string } = {
    state: firstParam(raw.state) || undefined, name: firstParam(raw.name)?.trim() || undefined,
    queue: firstParam(raw.queue)?.trim() || undefined, id: firstParam(raw.id)?.trim() || undefined, cursor: firstParam(raw.cursor) || undefined,
  };
  await requirePrincipal(listHref(search));
  const engine = await getEngine();
  const now = Date.now();

  let problem: string | null = null;
  if (search.id) {
    let found: string | null = null;
    try {
      found = await resolveJobId(engine, search.id);
    } catch (error) {
      problem = problemOf(error);
    }
    if (found) redirect(`/admin/jobs/${found}`);
  }

  let jobs: JobJson[] = [];
  let nextCursor: string | null = null;
  let counts: StateCounts | null = null;
  try {
    const url = new URL(`http://list${listHref(search)}`);
    url.searchParams.set('limit', String(pageSize));
    const { filter } = jobFilterFromQuery(url);
    // Tab counts from the stats counts (never a count of the jobs table), for the queue when one is chosen.
    counts = (await readStats(engine, { now, queue: search.queue, hours: 1 })).counts;
    const rows = await listJobs(engine, filter);
    jobs = await readJobsJson(engine, rows);
    nextCursor = rows.length === filter.limit ? encodeCursor(pageKeyOf(filter, rows[rows.length - 1])) : null;
  } catch (error) {
    problem ??= problemOf(error);
  }
  const state = jobStates.includes(search.state as JobState) ? (search.state as JobState) : undefined;

  return (
    <>
      <h1>Jobs</h1>
      <section className={styles.card} aria-label="Jobs list">
        {counts && <StateTabs current={state} counts={counts} hrefOf={(s) => listHref({ ...search, state: s, cursor: undefined })} />}
        <JobFilters search={search} />
        {problem && <p className={styles.error} role="alert" data-testid="list-problem">{problem}</p>}
        <AdminJobsTable jobs={jobs} now={now} />
        <nav className={styles.pager} aria-label="Pages">
          {search.cursor && <Link href={listHref({ ...search, cursor: undefined })}>First page</Link>}
          {nextCursor && <Link href={listHref({ ...search, cursor: nextCursor })} data-testid="next-page">Next page</Link>}
        </nav>
      </section>
    </>
  );
}
