import type { WorkerRow } from '@/store/queries';
import { heldJobsShown, type HeldJob } from '@/store/workers';
import { JobLink } from './job-link';
import { When } from './when';
import styles from '../admin.module.css';

/** The running jobs a dead worker still holds: each stays running until its lease expires, then a live worker takes it back. */
export function HeldJobs({ worker, jobs, now }: { worker: WorkerRow; jobs: HeldJob[]; now: number }) {
  return (
    <div data-testid="held-jobs" data-worker-id={worker.id}>
      <h3 className={styles.sub}>
        Held by dead worker <span className={styles.mono}>{worker.id}</span>
      </h3>
      {jobs.length === 0 ? (
        <p className={styles.muted}>It holds no running job.</p>
      ) : (
        <>
          <p className={styles.muted}>
            These jobs still show as running. Their leases are taken back once they expire: a live worker then retries each job, or fails it
            when it has no attempts left.
          </p>
          <div className={styles.scroll}>
            <table className={styles.table}>
              <thead>
                <tr><th>Job</th><th>Name</th><th>Queue</th><th>Lease expires</th></tr>
              </thead>
              <tbody>
                {jobs.map((job) => (
                  <tr key={job.id} data-testid="held-job" data-job-id={job.id}>
                    <td><JobLink id={job.id} /></td>
                    <td>{job.name}</td>
                    <td>{job.queue}</td>
                    <td><When at={job.lockedUntil} now={now} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {jobs.length === heldJobsShown && <p className={styles.muted}>The {heldJobsShown} whose leases expire first are shown.</p>}
        </>
      )}
    </div>
  );
}
