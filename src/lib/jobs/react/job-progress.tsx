'use client';

import { useJobProgress } from './use-job-progress';

const stateText: Record<string, string> = {
  pending: 'Waiting', scheduled: 'Scheduled', retrying: 'Retrying', blocked: 'Waiting for other jobs', paused: 'Paused',
  throttled: 'Waiting for a slot', running: 'Running', completed: 'Done', failed: 'Failed', cancelled: 'Cancelled',
};

/**
 * A job's live progress for an app page (the seeds' JobProgressModal, without
 * the modal): a progress bar with its message, the state in words, and the
 * result or error once it ends. Drop it in beside the form that enqueued the
 * job: `<JobProgress id={jobId} />`. Unstyled but for a few class names
 * (`job-progress`, `job-progress-bar`) and data attributes tests and styles can use.
 */
export function JobProgress({ id, showResult = true }: { id: string; showResult?: boolean }) {
  const { job, loaded } = useJobProgress(id);
  if (!loaded) return <div className="job-progress" data-testid="job-progress" data-state="loading">Loading…</div>;
  if (!job) return <div className="job-progress" data-testid="job-progress" data-state="missing">No such job</div>;
  return (
    <div className="job-progress" data-testid="job-progress" data-state={job.state} data-percent={job.percent}>
      <div className="job-progress-head">
        <strong>{stateText[job.label] ?? job.label}</strong>
        {job.attempts > 1 && <span> · attempt {job.attempts} of {job.maxAttempts}</span>}
        <span className="job-progress-percent">{job.percent}%</span>
      </div>
      <progress className="job-progress-bar" max={100} value={job.percent} aria-label={`${job.name} progress`} />
      {job.message && <div className="job-progress-message">{job.message}</div>}
      {job.error && job.state !== 'completed' && <div className="job-progress-error" role="alert">{job.error}</div>}
      {showResult && job.state === 'completed' && job.result !== null && (
        <pre className="job-progress-result" data-testid="job-progress-result">{JSON.stringify(job.result, null, 2)}</pre>
      )}
    </div>
  );
}
