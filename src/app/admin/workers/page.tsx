import { getEngine } from '@/db/client';
import { HeldJobs } from '../_components/held-jobs';
import { WorkersTable } from '../_components/workers-table';
import { RefreshOnChange } from '../_components/live/refresh-on-change';
import { readHeldByDead, readWorkers, workersShown } from '../_lib/workers';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

/** The recorded workers: alive, dead (stopped heartbeating) or stopped cleanly; for the dead ones, the jobs they still hold. */
export default async function WorkersPage() {
  await requirePrincipal('/admin/workers');
  const now = Date.now();
  const engine = await getEngine();
  const workers = await readWorkers(engine, now);
  const held = await readHeldByDead(engine, workers);
  return (
    <>
      <h1>Workers</h1>
      <RefreshOnChange />
      <section className={styles.card} aria-label="Workers">
        <WorkersTable workers={workers} now={now} />
        {workers.length === workersShown && <p className={styles.muted}>The {workersShown} most recently heard from are shown.</p>}
      </section>
      {held.length > 0 && (
        <section className={styles.card} aria-labelledby="held-title">
          <h2 id="held-title">Jobs held by dead workers</h2>
          {held.map(({ worker, jobs }) => <HeldJobs key={worker.id} worker={worker} jobs={jobs} now={now} />)}
        </section>
      )}
    </>
  );
}
