import Link from 'next/link';
import { getEngine } from '@/db/client';
import { listFailureGroups } from '@/store/failure-groups';
import { GroupOutcome } from '../_components/failure-group-actions';
import { FailureGroupsTable } from '../_components/failure-groups-table';
import { decodeFailureGroupCursor, encodeFailureGroupCursor } from '../_lib/failure-group-cursor';
import { firstParam } from '../_lib/format';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';
import { RefreshOnChange } from '../_components/live/refresh-on-change';

export const dynamic = 'force-dynamic';

/** Groups per page. */
const pageSize = 100;

/**
 * Failed jobs grouped by job name and error fingerprint, newest last failure first, a keyset page at a time
 * (`?after=` is the cursor of the page after the one it ended); Retry all and Discard all per group for the admin role.
 */
export default async function FailuresPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = firstParam((await searchParams).after);
  const principal = await requirePrincipal(raw ? `/admin/failures?after=${encodeURIComponent(raw)}` : '/admin/failures');
  const after = raw ? decodeFailureGroupCursor(raw) : null;
  // One more than a page, so Next shows only when there is a next page.
  const { groups: read } = await listFailureGroups(await getEngine(), { limit: pageSize + 1, cursor: after });
  const groups = read.slice(0, pageSize);
  const last = groups.at(-1);
  const nextCursor = read.length > pageSize && last ? { lastSeen: last.lastSeen, name: last.name, fingerprint: last.fingerprint } : null;
  return (
    <>
      <h1>Failures</h1>
      <RefreshOnChange types={['job.failed']} />
      <section className={styles.card} aria-label="Failure groups">
        {raw && !after && <p className={styles.error} data-testid="list-problem">That page link is not one this page made: the newest groups are shown.</p>}
        <GroupOutcome>
          <FailureGroupsTable groups={groups} now={Date.now()} canAct={principal.role === 'admin'} />
        </GroupOutcome>
        {after && groups.length === 0 && <p className={styles.muted}>No older groups.</p>}
        <nav className={styles.pager} aria-label="Failure group pages">
          {after && <Link href="/admin/failures" data-testid="failures-newest">Newest</Link>}
          {nextCursor && (
            <Link href={`/admin/failures?after=${encodeFailureGroupCursor(nextCursor)}`} data-testid="failures-next">Next {pageSize} →</Link>
          )}
        </nav>
      </section>
    </>
  );
}
