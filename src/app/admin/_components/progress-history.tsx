import type { ProgressJson } from '@/lib/jobs/json';
import { When } from './when';
import styles from '../admin.module.css';

/** Progress rows shown: a long job may report thousands; the newest tell where it is. */
const rowsShown = 50;

/** The progress a job reported, oldest first (the newest rowsShown of it). */
export function ProgressHistory({ history, now }: { history: ProgressJson[]; now: number }) {
  if (history.length === 0) return <p className={styles.muted}>No progress reported.</p>;
  const hidden = Math.max(0, history.length - rowsShown);
  return (
    <div className={styles.scroll}>
      {hidden > 0 && <p className={styles.muted}>{hidden} earlier reports not shown.</p>}
      <table className={styles.table} data-testid="progress-history">
        <thead>
          <tr><th className={styles.num}>Attempt</th><th className={styles.num}>Percent</th><th>Message</th><th>At</th></tr>
        </thead>
        <tbody>
          {history.slice(hidden).map((p, i) => (
            <tr key={hidden + i}>
              <td className={styles.num}>{p.attempt}</td>
              <td className={styles.num}>{Math.round(p.percent)}%</td>
              <td className={styles.wrap}>{p.message ?? ''}</td>
              <td><When at={p.at} now={now} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
