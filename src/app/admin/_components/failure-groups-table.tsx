import Link from 'next/link';
import type { FailureGroup } from '@/store/failure-groups';
import { When } from './when';
import styles from '../admin.module.css';

/** Failure groups (job name + error fingerprint), newest last failure first; each links to its failed jobs. */
export function FailureGroupsTable({ groups, now }: { groups: FailureGroup[]; now: number }) {
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
          </tr>
        </thead>
        <tbody>
          {groups.length === 0 && (
            <tr>
              <td colSpan={5} className={styles.empty}>No failed jobs.</td>
            </tr>
          )}
          {groups.map((g) => (
            <tr key={`${g.name}/${g.fingerprint}`} data-testid="failure-group">
              <td>
                <Link href={`/admin/jobs?state=failed&name=${encodeURIComponent(g.name)}`}>{g.name}</Link>
              </td>
              <td className={styles.wrap}>
                <strong>{g.errorName ?? 'Error'}</strong>: {g.message ?? <span className={styles.muted}>(no message recorded)</span>}
                {g.frame && <div className={`${styles.muted} ${styles.mono}`}>{g.frame}</div>}
              </td>
              <td className={styles.num}>{g.failed}</td>
              <td><When at={g.firstSeen} now={now} /></td>
              <td><When at={g.lastSeen} now={now} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
