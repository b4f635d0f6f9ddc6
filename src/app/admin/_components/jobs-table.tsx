import type { JobJson } from '@/lib/jobs/json';
import { JobLink } from './job-link';
import { StateLabel } from './state-label';
import { When } from './when';
import styles from '../admin.module.css';

/**
 * A page of jobs: `data-state` holds the stored state, the label its refined
 * reason. With `bulkFormId` (the admin role), a checkbox per row posts its id
 * with that form, and one in the header ticks the whole page.
 */
export function AdminJobsTable({ jobs, now, bulkFormId }: { jobs: JobJson[]; now: number; bulkFormId?: string }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="admin-jobs-table">
        <thead>
          <tr>
            {bulkFormId && (
              <th className={styles.check}>
                <input type="checkbox" data-bulk-page aria-label="Select every job on this page" data-testid="select-page" />
              </th>
            )}
            <th>Id</th>
            <th>Name</th>
            <th>Queue</th>
            <th>State</th>
            <th>Progress</th>
            <th className={styles.num}>Attempts</th>
            <th>Created</th>
            <th>Finished</th>
          </tr>
        </thead>
        <tbody>
          {jobs.length === 0 && (
            <tr>
              <td colSpan={bulkFormId ? 9 : 8} className={styles.empty}>No jobs match.</td>
            </tr>
          )}
          {jobs.map((job) => (
            <tr key={job.id} data-testid="admin-job-row" data-job-id={job.id} data-state={job.state}>
              {bulkFormId && (
                <td className={styles.check}>
                  <input type="checkbox" name="id" value={job.id} form={bulkFormId} data-bulk-row aria-label={`Select job ${job.id}`} data-testid="select-job" />
                </td>
              )}
              <td><JobLink id={job.id} /></td>
              <td>{job.name}</td>
              <td>{job.queue}</td>
              <td data-cell="state"><StateLabel label={job.label} title={job.error?.message} /></td>
              <td data-cell="progress"><ProgressCell job={job} /></td>
              <td className={styles.num}>{job.attempts} / {job.maxAttempts}</td>
              <td><When at={job.createdAt} now={now} /></td>
              <td><When at={job.completedAt} now={now} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A running job's progress bar and percent; 100% once completed, a dash otherwise. */
function ProgressCell({ job }: { job: JobJson }) {
  if (job.state !== 'running') return <span className={styles.muted}>{job.state === 'completed' ? '100%' : '–'}</span>;
  return (
    <span title={job.progress.message ?? undefined}>
      <span className={styles.bar} role="progressbar" aria-valuenow={job.progress.percent} aria-valuemin={0} aria-valuemax={100}>
        <span style={{ width: `${job.progress.percent}%` }} />
      </span>
      {Math.round(job.progress.percent)}%
    </span>
  );
}
