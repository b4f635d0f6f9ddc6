import { getEngine } from '@/db/client';
import { listFailureGroups } from '@/store/failure-groups';
import { GroupOutcome } from '../_components/failure-group-actions';
import { FailureGroupsTable } from '../_components/failure-groups-table';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

/** Groups shown (paging them comes later). */
const groupsShown = 100;

/** Failed jobs grouped by job name and error fingerprint, newest last failure first; Retry all and Discard all per group for the admin role. */
export default async function FailuresPage() {
  const principal = await requirePrincipal('/admin/failures');
  const { groups, nextCursor } = await listFailureGroups(await getEngine(), { limit: groupsShown });
  return (
    <>
      <h1>Failures</h1>
      <section className={styles.card} aria-label="Failure groups">
        <GroupOutcome>
          <FailureGroupsTable groups={groups} now={Date.now()} canAct={principal.role === 'admin'} />
        </GroupOutcome>
        {nextCursor && <p className={styles.muted}>The newest {groupsShown} groups are shown.</p>}
      </section>
    </>
  );
}
