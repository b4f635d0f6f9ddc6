import Link from 'next/link';
import type { QueueStats } from '@/lib/jobs/stats';
import { duration } from '../_lib/format';
import { queueHref } from '../_lib/queue-href';
import { JobLink } from './job-link';
import { QueueControls } from './queue-controls';
import { StateLabel } from './state-label';
import styles from '../admin.module.css';

/** Per queue (its name links to its page): what waits and why, what runs, how long the oldest ready job has waited, pause and rate limit; with `controls` (the admin role), Pause / Resume and the rate limit form. */
export function QueueTable({ queues, controls = false }: { queues: QueueStats[]; controls?: boolean }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="queue-table">
        <thead>
          <tr>
            <th>Queue</th>
            <th className={styles.num}>Ready</th>
            <th className={styles.num}>Scheduled</th>
            <th className={styles.num}>Paused</th>
            <th className={styles.num}>Blocked</th>
            <th className={styles.num}>Throttled</th>
            <th className={styles.num}>Running</th>
            <th>Oldest ready</th>
            <th>State</th>
            <th>Rate limit</th>
            {controls && <th>Change</th>}
          </tr>
        </thead>
        <tbody>
          {queues.length === 0 && (
            <tr>
              <td colSpan={controls ? 11 : 10} className={styles.empty}>No queue holds a job yet.</td>
            </tr>
          )}
          {queues.map((q) => (
            <tr key={q.queue} data-testid="queue-row" data-queue={q.queue}>
              <td>
                <Link href={queueHref(q.queue)} data-testid="queue-link">{q.queue}</Link>
              </td>
              <td className={styles.num}>{q.counts.waiting.ready}</td>
              <td className={styles.num}>{q.counts.waiting.scheduled}</td>
              <td className={styles.num}>{q.counts.waiting.paused}</td>
              <td className={styles.num}>{q.counts.waiting.blocked}</td>
              <td className={styles.num}>{q.counts.waiting.throttled}</td>
              <td className={styles.num}>{q.counts.running}</td>
              <td>
                {q.oldestReady ? (
                  <span title={`ready since ${q.oldestReady.since}`}>
                    {duration(q.oldestReady.ageMs)} (<JobLink id={q.oldestReady.id} />)
                  </span>
                ) : (
                  <span className={styles.muted}>none ready</span>
                )}
              </td>
              <td data-testid="queue-state" data-paused={q.paused}>{q.paused ? <StateLabel label="paused" /> : <span className={styles.muted}>active</span>}</td>
              <td data-testid="queue-rate">{q.rateLimit ? q.rateLimit.rate : <span className={styles.muted}>none</span>}</td>
              {controls && (
                <td>
                  <QueueControls queue={q.queue} paused={q.paused} rate={q.rateLimit?.rate ?? null} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
