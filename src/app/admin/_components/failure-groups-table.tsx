import Link from 'next/link';
import type { FailureGroup } from '@/store/failure-groups';
import { FailureGroupActions } from './failure-group-actions';
import { When } from './when';
import styles from '../admin.module.css';

/** The group page's path: /admin/failures/<job name>/<fingerprint>. */
export const groupHref = (g: { name: string; fingerprint: string }) =>
  `/admin/failures/${encodeURIComponent(g.name)}/${encodeURIComponent(g.fingerprint)}`;

/** What a fingerprint stands for: the error name, its normalised message and the app frame it was thrown from. */
export function FingerprintDescription({ group }: { group: FailureGroup }) {
  return (
    <>
      <strong>{group.errorName ?? 'Error'}</strong>: {group.message ?? <span className={styles.muted}>(no message recorded)</span>}
      {group.frame && <div className={`${styles.muted} ${styles.mono}`}>{group.frame}</div>}
    </>
  );
}

/**
 * Failure groups (job name + error fingerprint), newest last failure first;
 * each links to its page, and for the admin role (canAct) has Retry all and Discard all.
 */
export function FailureGroupsTable({ groups, now, canAct }: { groups: FailureGroup[]; now: number; canAct: boolean }) {
  const columns = canAct ? 6 : 5;
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="failure-groups">
        <thead>
          <tr>
            <th>Job</th>
            <th>Error</th>
            <th className={styles.num}>Failed</th>
            <th>First seen</th>
            <th>Last seen</th>
            {canAct && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {groups.length === 0 && (
            <tr>
              <td colSpan={columns} className={styles.empty}>No failed jobs.</td>
            </tr>
          )}
          {groups.map((g) => (
            <tr key={`${g.name}/${g.fingerprint}`} data-testid="failure-group" data-name={g.name} data-fingerprint={g.fingerprint} data-failed={g.failed}>
              <td>
                <Link href={groupHref(g)} data-testid="group-link">{g.name}</Link>
              </td>
              <td className={styles.wrap}>
                <FingerprintDescription group={g} />
              </td>
              <td className={styles.num} data-testid="group-failed">{g.failed}</td>
              <td><When at={g.firstSeen} now={now} /></td>
              <td><When at={g.lastSeen} now={now} /></td>
              {canAct && (
                <td>
                  <FailureGroupActions name={g.name} fingerprint={g.fingerprint} failed={g.failed} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
