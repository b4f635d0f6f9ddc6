import Link from 'next/link';
import { formatRateLimit } from '@/core/rate';
import type { AheadCount, WaitCause } from '@/lib/jobs/why-waiting';
import { duration } from '../_lib/format';
import { JobLink } from './job-link';
import { When } from './when';
import styles from '../admin.module.css';

const ahead = (a: AheadCount) => `${a.count}${a.orMore ? '+' : ''} ${a.count === 1 && !a.orMore ? 'job' : 'jobs'} ahead`;
/** An error message kept short enough for a sentence; the attempt it links to has it whole. */
const shortError = (message: string) => (message.length > 160 ? `${message.slice(0, 159)}…` : message);
const queuesOf = (queues: string[] | null) => (queues === null ? 'every queue' : `${queues.length === 1 ? 'queue' : 'queues'} ${queues.join(', ')}`);
const workersLink = <Link href="/admin/workers">Workers</Link>;

/** whyWaiting's first cause, in words with links; `data-cause` holds its kind for tests and styles. */
export function WhyWaiting({ cause, now }: { cause: WaitCause; now: number }) {
  return (
    <div className={styles.why} data-testid="why-waiting" data-cause={cause.kind}>
      <CauseText cause={cause} now={now} />
    </div>
  );
}

function CauseText({ cause, now }: { cause: WaitCause; now: number }) {
  switch (cause.kind) {
    case 'runs_later':
      return (
        <p>
          It is scheduled for later: it runs <When at={cause.at} now={now} />, in queue{' '}
          <Link href={`/admin/jobs?${new URLSearchParams({ queue: cause.queue, state: 'pending' })}`}>{cause.queue}</Link>.
        </p>
      );
    case 'retry_backoff':
      return (
        <p>
          Retry backoff after a failure: <a href={`#attempt-${cause.attempt - 1}`}>attempt {cause.attempt - 1} failed</a>
          {cause.lastError !== null && <> with &quot;{shortError(cause.lastError)}&quot;</>}; attempt {cause.attempt} of {cause.maxAttempts} runs{' '}
          <When at={cause.at} now={now} />.
        </p>
      );
    case 'blocked':
      if (cause.by.length === 0) return <p>Its dependencies have all ended: the next dependency sweep releases it (or fails it).</p>;
      return (
        <>
          <ul>
            {cause.by.map((parent) => (
              <li key={parent.id}>
                Blocked by job <JobLink id={parent.id} /> {parent.name} ({parent.state})
              </li>
            ))}
          </ul>
          {cause.openCount > cause.by.length && <p>and {cause.openCount - cause.by.length} more jobs it depends on.</p>}
        </>
      );
    case 'queue_paused':
      return (
        <p>
          Its queue <Link href="/admin/queues">{cause.queue}</Link> is paused
          {cause.since !== null && <> (since <When at={cause.since} now={now} />)</>}.
        </p>
      );
    case 'concurrency_full':
      return (
        <p>
          Its concurrency key <code className={styles.mono}>{cause.key}</code> is full: {cause.running} of {cause.limit} slots taken
          {cause.holders.map((holder, i) => (
            <span key={holder.id}>
              {i === 0 ? ', by job ' : ', job '}<JobLink id={holder.id} /> ({holder.state === 'running' ? 'running' : 'granted, about to start'})
            </span>
          ))}
          {cause.running > cause.holders.length && cause.holders.length > 0 && ` and ${cause.running - cause.holders.length} more`}
          ; {ahead(cause.ahead)} of it{cause.running < cause.limit && ', which the free slots go to first'}.
        </p>
      );
    case 'rate_limited':
      return (
        <p>
          Its queue <Link href="/admin/queues">{cause.queue}</Link> reached its rate limit ({formatRateLimit({ max: cause.max, durationMs: cause.durationMs })}):
          the next start is allowed <When at={cause.opensAt} now={now} />, {ahead(cause.ahead)} of it.
        </p>
      );
    case 'no_worker':
      return (
        <>
          <p>
            No live worker takes queue <strong>{cause.queue}</strong> and can run <strong>{cause.name}</strong>.
            {cause.liveWorkers.length === 0
              ? ' No worker is alive.'
              : ` The ${cause.liveWorkers.length} live ${cause.liveWorkers.length === 1 ? 'worker' : 'workers'}:`}
          </p>
          {cause.liveWorkers.length > 0 && (
            <ul data-testid="live-workers">
              {cause.liveWorkers.map((w) => (
                <li key={w.id}>
                  <code className={styles.mono}>{w.id}</code> takes {queuesOf(w.queues)}
                  {w.jobNames !== null && !w.jobNames.includes(cause.name) && <>, but cannot run {cause.name} (another build)</>}
                </li>
              ))}
            </ul>
          )}
          <p>{workersLink}</p>
        </>
      );
    case 'waiting_for_worker':
      return cause.ahead === null
        ? <p>It is ready: a worker takes it at its next poll. {workersLink}</p>
        : <p>It is ready and waits for a free worker, with {ahead(cause.ahead)} of it in its queue. {workersLink}</p>;
    case 'running':
      return (
        <p>
          It is running on worker <code className={styles.mono}>{cause.worker}</code>
          {cause.workerAlive === null ? ' (in-process run)' : cause.workerAlive ? ' (alive' : ' (dead'}
          {cause.heartbeatAgeMs !== null && `, heard from ${duration(cause.heartbeatAgeMs)} ago`}
          {cause.workerAlive !== null && ')'}; its lease runs out <When at={cause.leaseUntil} now={now} /> unless renewed.
          {cause.cancelRequested && ' A cancel was requested: its worker aborts it.'} {cause.workerAlive !== null && workersLink}
        </p>
      );
    case 'lease_expiring': {
      const expired = cause.leaseUntil < now;
      const takeBack = cause.otherLiveWorkers > 0
        ? 'a live worker takes the job back'
        : 'the next worker to start takes the job back (no other worker is alive)';
      return (
        <p>
          It is marked running on worker <code className={styles.mono}>{cause.worker}</code>, but
          {cause.reason === 'lease_ran_out' ? (
            <> its lease ran out unrenewed <When at={cause.leaseUntil} now={now} />; then {takeBack}.</>
          ) : (
            <>
              {' '}that worker stopped heartbeating: last heard from {duration(cause.heartbeatAgeMs ?? 0)} ago (it heartbeats every {duration(cause.heartbeatEveryMs)})
              {cause.reason === 'worker_dead' && ' and counts as dead'}. Its lease {expired ? 'expired' : 'expires'} <When at={cause.leaseUntil} now={now} />; then {takeBack}.
            </>
          )}{' '}
          {workersLink}
        </p>
      );
    }
  }
}
