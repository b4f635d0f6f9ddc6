import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isJobsError } from '@/core/errors';
import { getEngine } from '@/db/client';
import { readStats, type StatsJson } from '@/lib/jobs/stats';
import { JobLink } from '../../_components/job-link';
import { QueueControls } from '../../_components/queue-controls';
import { RefreshOnChange } from '../../_components/live/refresh-on-change';
import { StateCountsList } from '../../_components/state-counts';
import { StateLabel } from '../../_components/state-label';
import { ThroughputChart } from '../../_components/throughput-chart';
import { decodeSegment, duration } from '../../_lib/format';
import { chartStats } from '../../_lib/minute-series';
import { queueHref } from '../../_lib/queue-href';
import { requirePrincipal } from '../../_lib/session';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';

/** The queue's stats, or null when no queue has that name (one no queue can have, too). */
async function readQueueStats(queue: string): Promise<StatsJson | null> {
  try {
    return await readStats(await getEngine(), { now: Date.now(), queue });
  } catch (error) {
    if (isJobsError(error) && error.code === 'bad_request') return null;
    throw error;
  }
}

/**
 * One queue: its jobs by state, pause and rate limit (with the controls for the admin role), its throughput and
 * failures over 24 h, and a link to its jobs. A queue exists while the overview lists it (it holds a job, is paused
 * or rate-limited) or while jobs of it ended in the window; any other name is a 404.
 */
export default async function QueuePage({ params }: { params: Promise<{ name: string }> }) {
  const name = decodeSegment((await params).name);
  const principal = await requirePrincipal(queueHref(name));
  const stats = await readQueueStats(name);
  const queue = stats?.queues.find((q) => q.queue === name);
  if (!stats || !queue || (queue.counts.total === 0 && !queue.paused && !queue.rateLimit && stats.throughput.length === 0)) notFound();
  const jobsHref = `/admin/jobs?queue=${encodeURIComponent(name)}`;
  return (
    <>
      <p><Link href="/admin/queues">← Queues</Link></p>
      <h1>Queue <span className={styles.mono} data-testid="queue-name">{name}</span></h1>
      <RefreshOnChange queue={name} />
      <section className={styles.card} aria-labelledby="queue-counts-title" data-testid="queue-detail" data-queue={name}>
        <h2 id="queue-counts-title">Jobs by state</h2>
        <StateCountsList counts={queue.counts} />
        <h2>Pause and rate limit</h2>
        <dl className={styles.facts}>
          <dt>State</dt>
          <dd data-testid="queue-state" data-paused={queue.paused}>{queue.paused ? <StateLabel label="paused" /> : <span className={styles.muted}>active</span>}</dd>
          <dt>Rate limit</dt>
          <dd data-testid="queue-rate">{queue.rateLimit ? queue.rateLimit.rate : <span className={styles.muted}>none</span>}</dd>
          <dt>Oldest ready</dt>
          <dd>
            {queue.oldestReady ? (
              <span title={`ready since ${queue.oldestReady.since}`}>{duration(queue.oldestReady.ageMs)} (<JobLink id={queue.oldestReady.id} />)</span>
            ) : (
              <span className={styles.muted}>none ready</span>
            )}
          </dd>
        </dl>
        {principal.role === 'admin' && (
          <div className={styles.queueControls}>
            <QueueControls queue={name} paused={queue.paused} rate={queue.rateLimit?.rate ?? null} />
          </div>
        )}
        <p><Link href={jobsHref} data-testid="queue-jobs-link">Jobs in {name} →</Link></p>
      </section>
      <section className={styles.card} aria-labelledby="queue-throughput-title">
        <h2 id="queue-throughput-title">Throughput and failures, last {stats.window.hours} h</h2>
        <ThroughputChart
          initial={chartStats(stats)} scope={`queue ${name}`}
          source={`/api/stats?hours=${stats.window.hours}&queue=${encodeURIComponent(name)}`}
        />
      </section>
    </>
  );
}
