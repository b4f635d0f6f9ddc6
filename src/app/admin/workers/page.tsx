import { getEngine } from '@/db/client';
import { WorkersTable } from '../_components/workers-table';
import { readWorkers, workersShown } from '../_lib/workers';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

/** The recorded workers: alive, dead (stopped heartbeating) or stopped cleanly. */
export default async function WorkersPage() {
  await requirePrincipal('/admin/workers');
  const now = Date.now();
  const workers = await readWorkers(await getEngine(), now);
  return (
    <>
      <h1>Workers</h1>
      <section className={styles.card} aria-label="Workers">
        <WorkersTable workers={workers} now={now} />
        {workers.length === workersShown && <p className={styles.muted}>The {workersShown} most recently heard from are shown.</p>}
      </section>
    </>
  );
}
