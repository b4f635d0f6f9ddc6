import Link from 'next/link';
import { getEngine } from '@/db/client';
import { readStats } from '@/lib/jobs/stats';
import { listFailureGroups } from '@/store/failure-groups';
import { FailureGroupsTable } from './_components/failure-groups-table';
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
  await requirePrincipal('/admin');
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
    </>
  );
}
