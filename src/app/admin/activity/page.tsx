import Link from 'next/link';
import { getEngine } from '@/db/client';
import { listActivity } from '@/store/activity';
import { JobLink } from '../_components/job-link';
import { When } from '../_components/when';
import { firstParam } from '../_lib/format';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

const pageSize = 50;
const jobLinksShown = 3;

/** The action log, newest first, a page at a time: `?before=<id>` is the cursor of the next (older) page. */
export default async function ActivityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePrincipal('/admin/activity');
  const raw = firstParam((await searchParams).before);
  const before = raw && /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : undefined;
  const { entries, nextBefore } = await listActivity(await getEngine(), { limit: pageSize, before });
  const now = Date.now();
  return (
    <>
      <h1>Activity</h1>
      <section className={styles.card} aria-label="Activity">
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="activity-table">
            <thead>
              <tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Jobs</th><th>Details</th></tr>
            </thead>
            <tbody>
              {entries.length === 0 && (
                <tr><td colSpan={6} className={styles.empty}>{before ? 'No older entries.' : 'Nothing has been logged yet.'}</td></tr>
              )}
              {entries.map((e) => (
                <tr key={e.id} data-testid="activity-row" data-id={e.id} data-action={e.action} data-who={e.actor}>
                  <td><When at={e.at} now={now} /></td>
                  <td data-testid="activity-who">{e.actor}</td>
                  <td className={styles.mono}>{e.action}</td>
                  <td data-testid="activity-target">{e.target ?? <span className={styles.muted}>–</span>}</td>
                  <td data-testid="activity-jobs" data-count={e.jobCount}>
                    {e.jobCount === 0 ? <span className={styles.muted}>–</span> : (
                      <>
                        {e.jobCount}
                        {e.jobIds.slice(0, jobLinksShown).map((id) => <span key={id}> <JobLink id={id} /></span>)}
                        {e.jobCount > Math.min(e.jobIds.length, jobLinksShown) && <span className={styles.muted}> …</span>}
                      </>
                    )}
                  </td>
                  <td className={`${styles.wrap} ${styles.mono}`} data-testid="activity-details">
                    {e.details ? JSON.stringify(e.details) : <span className={styles.muted}>–</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav className={styles.pager} aria-label="Activity pages">
          {before !== undefined && <Link href="/admin/activity" data-testid="activity-newest">Newest</Link>}
          {nextBefore !== null && <Link href={`/admin/activity?before=${nextBefore}`} data-testid="activity-next">Older entries →</Link>}
        </nav>
      </section>
    </>
  );
}
