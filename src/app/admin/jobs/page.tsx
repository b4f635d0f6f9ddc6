import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ZodError } from 'zod';
import { getConfig } from '@/config/env';
import { isJobsError } from '@/core/errors';
import { jobStates, type JobState } from '@/core/states';
import { getEngine } from '@/db/client';
import { readJobsJson, type JobJson } from '@/lib/jobs/json';
import { paramFilters, paramSearchLimit } from '@/lib/jobs/param-filter';
import { readStats, type StateCounts } from '@/lib/jobs/stats';
import { bulkActionStates, bulkStatesText, type BulkAction } from '@/server/api/bulk';
import { encodeCursor } from '@/server/api/cursor';
import { jobFilterFromQuery } from '@/server/api/job-query';
import { listJobs, pageKeyOf, resolveJobId } from '@/store/queries';
import { BulkSelection, type BulkButton } from '../_components/bulk-selection';
import { JobFilters } from '../_components/job-filters';
import { AdminJobsTable } from '../_components/jobs-table';
import { NewJobsNotice } from '../_components/live/new-jobs-notice';
import { StateTabs } from '../_components/state-tabs';
import { firstParam } from '../_lib/format';
import { filterQuery, listHref, type JobListSearch } from '../_lib/list-filter';
import { formatParamSearch, paramPairsOfQuery, parseParamSearch, pathGivenTwice } from '../_lib/param-search';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

/** Jobs per page of the list. */
const pageSize = 50;
/** The id the bulk bar's form has, which the rows' checkboxes name. */
const bulkFormId = 'jobs-bulk';

type Search = Promise<Record<string, string | string[] | undefined>>;

/** A filter's problem in words, or the error thrown again when it is a bug. */
function problemOf(error: unknown): string {
  if (isJobsError(error)) return error.message;
  if (error instanceof ZodError) return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw error;
}

const bulkLabels: Record<BulkAction, string> = { retry: 'Retry', cancel: 'Cancel', delete: 'Delete' };

/** The bulk bar's buttons; one whose states exclude the state tab's is disabled (runBulk would refuse it). */
function bulkButtons(state: JobState | undefined): BulkButton[] {
  return (['retry', 'cancel', 'delete'] as const).map((action) => ({
    action, label: bulkLabels[action], appliesTo: bulkStatesText(action), applies: !state || bulkActionStates[action].includes(state),
  }));
}

/**
 * The jobs list: state tabs with counts, name / queue / params filters, id
 * search, keyset pages; for the admin role, bulk Retry / Cancel / Delete of the
 * ticked rows or of every job matching the filter. The params field posts as
 * `params=<typed text>`, which comes back as `param.<path>=<value>` keys (the
 * API's), so a link shares the search.
 */
/** Each state tab's link (and 'all'), keeping the other filters and starting at the first page. */
function tabHrefs(search: JobListSearch): Record<string, string> {
  const states: (JobState | undefined)[] = [undefined, ...jobStates];
  return Object.fromEntries(states.map((s) => [s ?? 'all', listHref({ ...search, state: s, cursor: undefined })]));
}

export default async function JobsPage({ searchParams }: { searchParams: Search }) {
  const raw = await searchParams;
  const typedParams = firstParam(raw.params);
  const typed = typedParams === undefined ? null : parseParamSearch(typedParams);
  const search: JobListSearch & { cursor?: string } = {
    state: firstParam(raw.state) || undefined, name: firstParam(raw.name)?.trim() || undefined,
    queue: firstParam(raw.queue)?.trim() || undefined, id: firstParam(raw.id)?.trim() || undefined, cursor: firstParam(raw.cursor) || undefined,
    params: typed ? ('pairs' in typed ? typed.pairs : []) : paramPairsOfQuery(raw),
  };
  const principal = await requirePrincipal(listHref(search));
  if (typed && 'pairs' in typed) redirect(listHref({ ...search, cursor: undefined }));
  let paramProblem = typed && 'problem' in typed ? typed.problem : pathGivenTwice(search.params!);
  if (!paramProblem) {
    try {
      paramFilters(search.params!, getConfig().redactKeys);
    } catch (error) {
      paramProblem = problemOf(error);
    }
  }
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
    // Tab counts from the stats counts (never a count of the jobs table), for the queue when one is chosen.
    counts = (await readStats(engine, { now, queue: search.queue, hours: 1 })).counts;
    if (!paramProblem) {
      const url = new URL(`http://list${listHref(search)}`);
      url.searchParams.set('limit', String(pageSize));
      const { filter } = jobFilterFromQuery(url);
      const rows = await listJobs(engine, filter);
      jobs = await readJobsJson(engine, rows);
      nextCursor = rows.length === filter.limit ? encodeCursor(pageKeyOf(filter, rows[rows.length - 1])) : null;
    }
  } catch (error) {
    problem ??= problemOf(error);
  }
  const state = jobStates.includes(search.state as JobState) ? (search.state as JobState) : undefined;
  const bulk = principal.role === 'admin' && !problem && !paramProblem;

  return (
    <>
      <h1>Jobs</h1>
      <section className={styles.card} aria-label="Jobs list">
        {counts && <StateTabs current={state} counts={counts} queue={search.queue} hrefs={tabHrefs(search)} />}
        {!search.cursor && (state === undefined || state === 'pending') && search.params!.length === 0 && (
          <NewJobsNotice queue={search.queue} name={search.name} />
        )}
        <JobFilters state={search.state} name={search.name} queue={search.queue} id={search.id} paramsText={typedParams ?? formatParamSearch(search.params!)} paramProblem={paramProblem} paramSearchLimit={paramSearchLimit} />
        {problem && <p className={styles.error} role="alert" data-testid="list-problem">{problem}</p>}
        {paramProblem ? null : bulk ? (
          <BulkSelection formId={bulkFormId} filter={filterQuery(search).toString()} buttons={bulkButtons(state)}>
            <AdminJobsTable jobs={jobs} now={now} bulkFormId={bulkFormId} />
          </BulkSelection>
        ) : (
          <AdminJobsTable jobs={jobs} now={now} />
        )}
        <nav className={styles.pager} aria-label="Pages">
          {search.cursor && <Link href={listHref({ ...search, cursor: undefined })}>First page</Link>}
          {nextCursor && <Link href={listHref({ ...search, cursor: nextCursor })} data-testid="next-page">Next page</Link>}
        </nav>
      </section>
    </>
  );
}
