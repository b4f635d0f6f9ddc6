import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getConfig } from '@/config/env';
import { isJobsError } from '@/core/errors';
import { shortJobId } from '@/core/ids';
import { getEngine } from '@/db/client';
import { readJobDetailJson, type JobDetailJson } from '@/lib/jobs/json';
import { whyWaiting } from '@/lib/jobs/why-waiting';
import { AttemptsList } from '../../_components/attempts-list';
import { JobActions } from '../../_components/job-actions';
import { JobFacts } from '../../_components/job-facts';
import { JsonBlock } from '../../_components/json-block';
import { ProgressHistory } from '../../_components/progress-history';
import { RefreshOnChange } from '../../_components/live/refresh-on-change';
import { StateLabel } from '../../_components/state-label';
import { WhyWaiting } from '../../_components/why-waiting';
import { requirePrincipal } from '../../_lib/session';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';

/** One job: its fields, why it is not running, params, result, error, attempts and progress; Retry and Cancel for the admin role. */
export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: typed } = await params;
  const principal = await requirePrincipal(`/admin/jobs/${encodeURIComponent(typed)}`);
  const engine = await getEngine();
  let job: JobDetailJson;
  try {
    job = await readJobDetailJson(engine, typed);
  } catch (error) {
    if (isJobsError(error) && (error.code === 'not_found' || error.code === 'bad_request' || error.code === 'ambiguous_id')) notFound();
    throw error;
  }
  const now = Date.now();
  const cause = job.state === 'pending' || job.state === 'running' ? await whyWaiting(engine, job.id, { now, leaseMs: getConfig().leaseMs }) : null;
  const isAdmin = principal.role === 'admin';

  return (
    <>
      {/* Its state, attempts, result and the why change rarely: read them again when they do. Progress moves in place. */}
      <RefreshOnChange jobId={job.id} everyMs={1_000} skipProgress />
      <div className={styles.head}>
        <h1>
          Job <span className={styles.mono} title={job.id}>{shortJobId(job.id)}</span> · {job.name}
        </h1>
        <span data-testid="job-state" data-state={job.state}><StateLabel label={job.label} /></span>
        <Link href={`/admin/jobs?state=${job.state}`}>All {job.state} jobs</Link>
      </div>
      {isAdmin && (job.state === 'failed' || job.state === 'cancelled' || job.state === 'pending' || job.state === 'running') && (
        <JobActions id={job.id} canRetry={job.state === 'failed' || job.state === 'cancelled'} canCancel={job.state === 'pending' || job.state === 'running'} />
      )}
      {cause && (
        <section className={styles.card} aria-labelledby="why-title">
          <h2 id="why-title">{job.state === 'running' ? 'Where is it running?' : 'Why isn’t this job running?'}</h2>
          <WhyWaiting cause={cause} now={now} />
        </section>
      )}
      <div className={styles.grid2}>
        <section className={styles.card} aria-labelledby="facts-title">
          <h2 id="facts-title">Job</h2>
          <JobFacts job={job} now={now} />
        </section>
        <section className={styles.card} aria-labelledby="params-title">
          <h2 id="params-title">Params</h2>
          <JsonBlock value={job.params} testId="job-params" />
          {job.result !== null && (
            <>
              <h2>Result</h2>
              <JsonBlock value={job.result} testId="job-result" />
            </>
          )}
          {job.error && (
            <>
              <h2>Error</h2>
              <p className={styles.error} data-testid="job-error"><strong>{job.error.name}</strong>: {job.error.message}</p>
            </>
          )}
        </section>
      </div>
      <section className={styles.card} aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        <AttemptsList attempts={job.attemptHistory} now={now} />
      </section>
      <section className={styles.card} aria-labelledby="progress-title">
        <h2 id="progress-title">Progress history</h2>
        <ProgressHistory history={job.progressHistory} now={now} />
      </section>
    </>
  );
}
