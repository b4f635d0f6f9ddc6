import Link from 'next/link';
import type { NameStats } from '@/lib/jobs/stats';
import { duration } from '../_lib/format';
import styles from '../admin.module.css';

const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`);
const ms = (value: number | undefined) => (value === undefined ? '–' : duration(value));

/**
 * Per job name over the stats window, as `bin/jobs stats` prints it: ends,
 * retries, failure rate and run times (p50/p95/p99 estimated from the
 * histogram buckets, the mean exact).
 */
export function NameStatsTable({ names, hours }: { names: NameStats[]; hours: number }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="name-stats">
        <thead>
          <tr>
            <th>Job</th>
            <th className={styles.num}>Completed</th>
            <th className={styles.num}>Failed</th>
            <th className={styles.num}>Retried</th>
            <th className={styles.num}>Cancelled</th>
            <th className={styles.num}>Failure rate</th>
            <th className={styles.num}>p50</th>
            <th className={styles.num}>p95</th>
            <th className={styles.num}>p99</th>
            <th className={styles.num}>Mean</th>
          </tr>
        </thead>
        <tbody>
          {names.length === 0 && (
            <tr>
              <td colSpan={10} className={styles.empty}>No job ended in the last {hours} h.</td>
            </tr>
          )}
          {names.map((n) => (
            <tr key={n.name} data-testid="name-stats-row" data-name={n.name} data-completed={n.completed} data-failed={n.failed}>
              <td><Link href={`/admin/jobs?name=${encodeURIComponent(n.name)}`}>{n.name}</Link></td>
              <td className={styles.num}>{n.completed}</td>
              <td className={styles.num}>{n.failed}</td>
              <td className={styles.num}>{n.retried}</td>
              <td className={styles.num}>{n.cancelled}</td>
              <td className={styles.num}>{percent(n.failureRate)}</td>
              <td className={styles.num}>{ms(n.runTimeMs?.p50)}</td>
              <td className={styles.num}>{ms(n.runTimeMs?.p95)}</td>
              <td className={styles.num}>{ms(n.runTimeMs?.p99)}</td>
              <td className={styles.num} title={n.runTimeMs ? `${n.runTimeMs.samples} runs measured` : undefined}>{ms(n.runTimeMs?.mean)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
