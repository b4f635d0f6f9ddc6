import type { JobJson } from '@/lib/jobs/json';
import { JobLink } from './job-link';
import { LiveJobProgress, LiveJobState } from './live/live-job-cells';
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
              <td data-cell="state"><LiveJobState id={job.id} label={job.label} title={job.error?.message} /></td>
              <td data-cell="progress">
                <LiveJobProgress id={job.id} state={job.state} percent={job.progress.percent} message={job.progress.message} />
              </td>
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
