import type { ProgressJson } from '@/lib/jobs/json';
import { When } from './when';
import styles from '../admin.module.css';

/** The progress a job reported, oldest first. */
export function ProgressHistory({ history, now }: { history: ProgressJson[]; now: number }) {
  if (history.length === 0) return <p className={styles.muted}>No progress reported.</p>;
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="progress-history">
        <thead>
          <tr><th className={styles.num}>Attempt</th><th className={styles.num}>Percent</th><th>Message</th><th>At</th></tr>
        </thead>
        <tbody>
          {history.map((p, i) => (
            <tr key={i}>
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
