import { getEngine } from '@/db/client';
import { readStats } from '@/lib/jobs/stats';
import { QueueTable } from '../_components/queue-table';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';
import { RefreshOnChange } from '../_components/live/refresh-on-change';

export const dynamic = 'force-dynamic';

/** Every queue with its counts, pause and rate limit ; the admin role pauses, resumes and limits them here (as the CLI and API do). */
export default async function QueuesPage() {
  const principal = await requirePrincipal('/admin/queues');
  const stats = await readStats(await getEngine(), { now: Date.now(), hours: 1 });
  return (
    <>
      <h1>Queues</h1>
      <RefreshOnChange />
      <section className={styles.card} aria-label="Queues">
        <QueueTable queues={stats.queues} controls={principal.role === 'admin'} />
      </section>
    </>
  );
}
