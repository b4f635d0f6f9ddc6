import type { JobJson } from '@/lib/jobs/json';
import { JobLink } from './job-link';
import { StateLabel } from './state-label';
import { When } from './when';
import styles from '../admin.module.css';

/** A page of jobs: `data-state` holds the stored state, the label its refined reason. */
export function AdminJobsTable({ jobs, now }: { jobs: JobJson[]; now: number }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="admin-jobs-table">
        <thead>
          <tr>
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
              <td colSpan={8} className={styles.empty}>No jobs match.</td>
            </tr>
          )}
          {jobs.map((job) => (
            <tr key={job.id} data-testid="admin-job-row" data-job-id={job.id} data-state={job.state}>
              <td><JobLink id={job.id} /></td>
              <td>{job.name}</td>
              <td>{job.queue}</td>
              <td><StateLabel label={job.label} title={job.error?.message} /></td>
              <td>
                {job.state === 'running' ? (
                  <span title={job.progress.message ?? undefined}>
                    <span className={styles.bar} role="progressbar" aria-valuenow={job.progress.percent} aria-valuemin={0} aria-valuemax={100}>
                      <span style={{ width: `${job.progress.percent}%` }} />
                    </span>
                    {Math.round(job.progress.percent)}%
                  </span>
                ) : (
                  <span className={styles.muted}>{job.state === 'completed' ? '100%' : '–'}</span>
                )}
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
