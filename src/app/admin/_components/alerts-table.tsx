import { formatDuration } from '@/core/duration';
import type { AlertRuleJson } from '@/lib/alerts/rule-json';
import { When } from './when';
import styles from '../admin.module.css';

/** The alert rules, read-only (they are edited with bin/jobs alerts): what each watches, its threshold, where it notifies, and what fires now. */
export function AlertsTable({ rules, now }: { rules: AlertRuleJson[]; now: number }) {
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="alerts-table">
        <thead>
          <tr><th>Rule</th><th>Kind</th><th>Watches</th><th>Threshold</th><th>Window</th><th>Notifies</th><th>State</th></tr>
        </thead>
        <tbody>
          {rules.length === 0 && (
            <tr><td colSpan={7} className={styles.empty}>No alert rules. Add one with bin/jobs alerts add.</td></tr>
          )}
          {rules.map((r) => (
            <tr key={r.name} data-testid="alert-row" data-firing={r.firing.length > 0 ? 'yes' : 'no'}>
              <td className={styles.mono}>{r.name}</td>
              <td>{r.kind}</td>
              <td>{r.watches}</td>
              <td>{r.threshold === null ? '' : r.kind === 'failure-rate' ? `${r.threshold}% (at least ${r.minCount} ended)` : formatDuration(r.threshold)}</td>
              <td>{formatDuration(r.windowMs)}</td>
              <td className={styles.mono}>{r.notify}</td>
              <td>
                {r.firing.length === 0 ? 'ok' : r.firing.map((f) => (
                  <div key={f.subject}>firing since <When at={f.since} now={now} />: {f.message}</div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
