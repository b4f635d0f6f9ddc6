import type { JobDetailJson } from '@/lib/jobs/json';
import { JobLink } from './job-link';
import { LiveJobProgress } from './live/live-job-cells';
import { When } from './when';
import styles from '../admin.module.css';

/** The job's fields at a glance: where it runs, when, its lease and the jobs it depends on. */
export function JobFacts({ job, now }: { job: JobDetailJson; now: number }) {
  return (
    <dl className={styles.facts} data-testid="job-facts">
      <dt>Id</dt>
      <dd className={styles.mono}>{job.id}</dd>
      {job.title && (<><dt>Title</dt><dd>{job.title}</dd></>)}
      {job.description && (<><dt>Description</dt><dd>{job.description}</dd></>)}
      <dt>Queue</dt>
      <dd>{job.queue} (priority {job.priority})</dd>
      <dt>Attempts</dt>
      <dd>{job.attempts} of {job.maxAttempts}</dd>
      <dt>Progress</dt>
      <dd>
        <LiveJobProgress id={job.id} state={job.state} percent={job.progress.percent} message={job.progress.message} showMessage />
      </dd>
      <dt>Created</dt>
      <dd><When at={job.createdAt} now={now} /></dd>
      <dt>Runs at</dt>
      <dd><When at={job.runAt} now={now} /></dd>
      <dt>Started</dt>
      <dd><When at={job.startedAt} now={now} /></dd>
      <dt>Finished</dt>
      <dd><When at={job.completedAt} now={now} /></dd>
      <dt>Lease</dt>
      <dd>{job.lease ? <>worker <code className={styles.mono}>{job.lease.worker}</code> · runs out <When at={job.lease.until} now={now} /></> : 'none'}</dd>
      {job.dependsOn.length > 0 && (
        <>
          <dt>Depends on</dt>
          <dd>{job.dependsOn.map((id, i) => <span key={id}>{i > 0 && ', '}<JobLink id={id} /></span>)}</dd>
        </>
      )}
      {job.idempotencyKey && (<><dt>Idempotency key</dt><dd className={styles.mono}>{job.idempotencyKey}</dd></>)}
      {job.concurrencyKey && (<><dt>Concurrency key</dt><dd className={styles.mono}>{job.concurrencyKey}</dd></>)}
      {job.schedule && (<><dt>Schedule</dt><dd>{job.schedule}</dd></>)}
      {job.cancelRequested && (<><dt>Cancel</dt><dd>requested</dd></>)}
    </dl>
  );
}
