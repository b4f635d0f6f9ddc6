import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getEngine } from '@/db/client';
import { failedJobIdsOfGroup, getFailureGroup, type GroupJobCursor } from '@/store/failure-groups';
import { getJob } from '@/store/queries';
import { FailureGroupActions, GroupOutcome } from '../../../_components/failure-group-actions';
import { FingerprintDescription, groupHref } from '../../../_components/failure-groups-table';
import { JobLink } from '../../../_components/job-link';
import { When } from '../../../_components/when';
import { firstParam } from '../../../_lib/format';
import { requirePrincipal } from '../../../_lib/session';
import styles from '../../../admin.module.css';
import { RefreshOnChange } from '../../../_components/live/refresh-on-change';

export const dynamic = 'force-dynamic';

/** Failed jobs listed per page. */
const jobsPerPage = 50;

/** `before` as the URL carries it: "<completed_at>~<id>". */
function parseCursor(raw: string | undefined): GroupJobCursor | null {
  const m = raw ? /^(\d{1,16})~([0-9a-f-]{8,40})$/.exec(raw) : null;
  return m ? { completedAt: Number(m[1]), id: m[2] } : null;
}

/** A dynamic segment as Next hands it (percent-encoded), decoded; a malformed one as it is (it then matches no group). */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** One failure group: what its fingerprint stands for, its counts, its failed jobs newest first (keyset-paged), and Retry all / Discard all for the admin role. */
export default async function FailureGroupPage({ params, searchParams }: {
  params: Promise<{ name: string; fingerprint: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { name: rawName, fingerprint: rawFingerprint } = await params;
  const name = decodeSegment(rawName);
  const fingerprint = decodeSegment(rawFingerprint);
  const principal = await requirePrincipal(groupHref({ name, fingerprint }));
  const before = parseCursor(firstParam((await searchParams).before));
  const engine = await getEngine();
  const group = await getFailureGroup(engine, { name, fingerprint });
  if (!group) notFound();
  const { ids, next } = await failedJobIdsOfGroup(engine, { name, fingerprint, limit: jobsPerPage, before });
  const jobs = (await Promise.all(ids.map((id) => getJob(engine, id)))).filter((j) => j !== null);
  const now = Date.now();
  return (
    <>
      <p><Link href="/admin/failures">← Failures</Link></p>
      <h1>Failures of {group.name}</h1>
      <RefreshOnChange types={['job.failed']} />
      <section className={styles.card} aria-label="Failure group" data-testid="group-facts">
        <GroupOutcome>
          <p className={styles.groupDescription} data-testid="group-description"><FingerprintDescription group={group} /></p>
          <dl className={styles.facts}>
            <dt>Failed now</dt><dd data-testid="group-failed">{group.failed}</dd>
            <dt>First seen</dt><dd><When at={group.firstSeen} now={now} /></dd>
            <dt>Last seen</dt><dd><When at={group.lastSeen} now={now} /></dd>
            <dt>Fingerprint</dt><dd className={styles.mono}>{group.fingerprint}</dd>
          </dl>
          {principal.role === 'admin' && group.failed > 0 && (
            <div className={styles.groupActions}><FailureGroupActions name={group.name} fingerprint={group.fingerprint} failed={group.failed} /></div>
          )}
        </GroupOutcome>
      </section>
      <section className={styles.card} aria-label="Failed jobs">
        <h2>Failed jobs, newest first</h2>
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="group-jobs">
            <thead>
              <tr><th>Job</th><th>Queue</th><th>Failed</th><th className={styles.num}>Attempts</th></tr>
            </thead>
            <tbody>
              {jobs.length === 0 && (
                <tr><td colSpan={4} className={styles.empty}>No failed jobs in this group now.</td></tr>
              )}
              {jobs.map((job) => (
                <tr key={job.id} data-testid="group-job" data-job-id={job.id}>
                  <td><JobLink id={job.id} /></td>
                  <td>{job.queue}</td>
                  <td><When at={job.completedAt ?? null} now={now} /></td>
                  <td className={styles.num}>{job.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {next && (
          <p><Link href={`${groupHref(group)}?before=${next.completedAt}~${next.id}`} data-testid="next-page">Older failures →</Link></p>
        )}
      </section>
    </>
  );
}
