import { getEngine } from '@/db/client';
import { listFailureGroups } from '@/store/failure-groups';
import { FailureGroupsTable } from '../_components/failure-groups-table';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

/** Groups shown (paging them and retry / discard per group come later). */
const groupsShown = 100;

/** Failed jobs grouped by job name and error fingerprint, newest last failure first. */
export default async function FailuresPage() {
  await requirePrincipal('/admin/failures');
  const { groups, nextCursor } = await listFailureGroups(await getEngine(), { limit: groupsShown });
  return (
    <>
      <h1>Failures</h1>
      <section className={styles.card} aria-label="Failure groups">
        <FailureGroupsTable groups={groups} now={Date.now()} />
        {nextCursor && <p className={styles.muted}>The newest {groupsShown} groups are shown.</p>}
      </section>
    </>
  );
}
