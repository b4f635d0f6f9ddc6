import type { JobRow } from '@/db/schema';
import { displayState } from '@/core/states';
import { shortJobId } from '@/core/ids';

/** The newest jobs, one row each; `data-state` holds the stored state, the badge its refined label. */
export function JobsTable({ jobs, now }: { jobs: JobRow[]; now: number }) {
  return (
    <div className="table-scroll">
      <table className="jobs" data-testid="jobs-table">
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th>State</th>
            <th>Progress</th>
            <th className="num">Attempts</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {jobs.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">
                No jobs yet: enqueue one above.
              </td>
            </tr>
          )}
          {jobs.map((job) => (
            <tr key={job.id} data-testid="job-row" data-job-id={job.id} data-state={job.state}>
              <td>
                <code title={job.id}>{shortJobId(job.id)}</code>
              </td>
              <td>{job.name}</td>
              <td>
                <span className={`badge state-${job.state}`} title={job.error ?? undefined}>
                  {displayState(job, now)}
                </span>
              </td>
              <td>
                <span className="progress" title={job.progressMessage ?? undefined}>
                  <span className="bar">
                    <span style={{ width: `${job.progress}%` }} />
                  </span>
                  {job.progress}%
                </span>
              </td>
              <td className="num">
                {job.attempts} / {job.maxAttempts}
              </td>
              <td>
                <time dateTime={new Date(job.createdAt).toISOString()} title={new Date(job.createdAt).toISOString()}>
                  {age(now - job.createdAt)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** @example age(95_000) // '1m 35s ago' */
function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
