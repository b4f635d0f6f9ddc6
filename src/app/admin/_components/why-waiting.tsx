import Link from 'next/link';
import { formatRateLimit } from '@/core/rate';
import type { AheadCount, WaitCause } from '@/lib/jobs/why-waiting';
import { duration } from '../_lib/format';
import { JobLink } from './job-link';
import { When } from './when';
import styles from '../admin.module.css';

const ahead = (a: AheadCount) => `${a.count}${a.orMore ? '+' : ''} ${a.count === 1 && !a.orMore ? 'job' : 'jobs'} ahead`;

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
      return <p>It is due later: it runs <When at={cause.at} now={now} />.</p>;
    case 'retry_backoff':
      return <p>Retry backoff: attempt {cause.attempt} of {cause.maxAttempts} runs <When at={cause.at} now={now} />.</p>;
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
          Its concurrency key <code className={styles.mono}>{cause.key}</code> is full: {cause.running} of {cause.limit} slots are taken, {ahead(cause.ahead)} of it.
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
        <p>
          No live worker takes queue <strong>{cause.queue}</strong> and can run <strong>{cause.name}</strong>
          {cause.liveWorkers.length === 0 ? ': no worker is alive.' : `; the ${cause.liveWorkers.length} live ones serve ${cause.liveWorkers.map((w) => (w.queues ? w.queues.join(', ') : 'every queue')).join('; ')}.`}{' '}
          <Link href="/admin/workers">Workers</Link>
        </p>
      );
    case 'waiting_for_worker':
      return cause.ahead === null
        ? <p>It is ready: a worker takes it at its next poll.</p>
        : <p>It is ready and waits for a free worker, with {ahead(cause.ahead)} of it in its queue.</p>;
    case 'running':
      return (
        <p>
          It is running on worker <code className={styles.mono}>{cause.worker}</code>
          {cause.workerAlive === null ? ' (in-process run)' : cause.workerAlive ? ' (alive' : ' (dead'}
          {cause.heartbeatAgeMs !== null && `, heard from ${duration(cause.heartbeatAgeMs)} ago`}
          {cause.workerAlive !== null && ')'}; its lease runs out <When at={cause.leaseUntil} now={now} /> unless renewed.
          {cause.cancelRequested && ' A cancel was requested: its worker aborts it.'}
        </p>
      );
    case 'lease_expiring':
      return (
        <p>
          It is marked running on worker <code className={styles.mono}>{cause.worker}</code>, but
          {cause.reason === 'worker_dead' ? ' that worker stopped heartbeating' : ' its lease ran out unrenewed'} (its lease {cause.leaseUntil < now ? 'ran out' : 'runs out'} <When at={cause.leaseUntil} now={now} />):
          a reaper takes it back.
        </p>
      );
  }
}
