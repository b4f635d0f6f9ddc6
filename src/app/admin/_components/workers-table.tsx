import type { WorkerRow } from '@/store/queries';
import type { WorkerStatus } from '../_lib/workers';
import { StateLabel } from './state-label';
import { When } from './when';
import styles from '../admin.module.css';

/** Workers, newest heartbeat first: status (as a word), what they take, when they were last heard from. */
export function WorkersTable({ workers, now }: { workers: { row: WorkerRow; status: WorkerStatus }[]; now: number }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="workers-table">
        <thead>
          <tr><th>Worker</th><th>Status</th><th>Host / pid</th><th>Queues</th><th className={styles.num}>Concurrency</th><th>Last heartbeat</th><th>Started</th></tr>
        </thead>
        <tbody>
          {workers.length === 0 && (
            <tr><td colSpan={7} className={styles.empty}>No worker has started yet.</td></tr>
          )}
          {workers.map(({ row, status }) => (
            <tr key={row.id} data-testid="worker-row" data-status={status}>
              <td className={styles.mono}>{row.id}</td>
              <td><StateLabel label={status} /></td>
              <td>{row.host} / {row.pid}</td>
              <td>{row.queues === '*' ? 'every queue' : row.queues.split(',').join(', ')}</td>
              <td className={styles.num}>{row.concurrency}</td>
              <td><When at={row.lastHeartbeatAt} now={now} /></td>
              <td><When at={row.startedAt} now={now} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
