import Link from 'next/link';
import { getConfig } from '@/config/env';
import { getEngine } from '@/db/client';
import { readStats } from '@/lib/jobs/stats';
import { listFailureGroups } from '@/store/failure-groups';
import { CleanupForm } from './_components/cleanup-form';
import { FailureGroupsTable } from './_components/failure-groups-table';
import { NameStatsTable } from './_components/name-stats-table';
import { typedAge } from './_lib/format';
import { QueueTable } from './_components/queue-table';
import { StateCountsList } from './_components/state-counts';
import { StateLabel } from './_components/state-label';
import { ThroughputChart } from './_components/throughput-chart';
import { chartStats } from './_lib/minute-series';
import { readWorkers } from './_lib/workers';
import { requirePrincipal } from './_lib/session';
import styles from './admin.module.css';
import { RefreshOnChange } from './_components/live/refresh-on-change';

export const dynamic = 'force-dynamic';

/** What is stuck and what failed, at a glance: counts, throughput and failures over 24 h, queues, workers, the newest failure groups. */
export default async function OverviewPage() {
  const principal = await requirePrincipal('/admin');
  const config = getConfig();
  const engine = await getEngine();
  const now = Date.now();
  const stats = await readStats(engine, { now });
  const workers = await readWorkers(engine, now);
  const { groups } = await listFailureGroups(engine, { limit: 5 });
  const alive = workers.filter((w) => w.status === 'alive').length;
  const dead = workers.filter((w) => w.status === 'dead').length;

  return (
    <>
      <h1>Overview</h1>
      <RefreshOnChange />
      <section className={styles.card} aria-labelledby="counts-title">
        <h2 id="counts-title">Jobs by state</h2>
        <StateCountsList counts={stats.counts} />
      </section>
      <section className={styles.card} aria-labelledby="throughput-title">
        <h2 id="throughput-title">Throughput and failures, last {stats.window.hours} h</h2>
        <ThroughputChart initial={chartStats(stats)} source={`/api/stats?hours=${stats.window.hours}`} scope="all queues" />
      </section>
      <section className={styles.card} aria-labelledby="queues-title">
        <h2 id="queues-title">Queues</h2>
        <QueueTable queues={stats.queues} />
      </section>
      <section className={styles.card} aria-labelledby="names-title">
        <h2 id="names-title">Jobs by name, last {stats.window.hours} h</h2>
        <NameStatsTable names={stats.names} hours={stats.window.hours} />
      </section>
      <div className={styles.grid2}>
        <section className={styles.card} aria-labelledby="workers-title">
          <h2 id="workers-title">Workers</h2>
          <p className={styles.head} data-testid="worker-counts" data-alive={alive} data-dead={dead}>
            <span><StateLabel label="alive" /> {alive}</span>
            <span><StateLabel label="dead" /> {dead}</span>
            <Link href="/admin/workers">All workers</Link>
          </p>
        </section>
        <section className={styles.card} aria-labelledby="failures-title">
          <h2 id="failures-title">Newest failure groups</h2>
          <FailureGroupsTable groups={groups} now={now} canAct={false} />
          <p><Link href="/admin/failures">All failure groups</Link></p>
        </section>
      </div>
      {principal.role === 'admin' && (
        <section className={styles.card} aria-labelledby="cleanup-title">
          <h2 id="cleanup-title">Clean up</h2>
          <p className={styles.muted}>
            Deletes finished jobs past these ages, with their attempts and progress, as the hourly cleanup does (its ages: JOBS_CLEAN_COMPLETED_AFTER,
            JOBS_CLEAN_FAILED_AFTER). A failure group keeps its first and last seen.
          </p>
          <CleanupForm completedAfter={typedAge(config.cleanCompletedAfterMs)} failedAfter={typedAge(config.cleanFailedAfterMs)} />
        </section>
      )}
    </>
  );
}
