import { defaults } from '@/config/defaults';
import { getEngine } from '@/db/client';
import { alertRuleJson } from '@/lib/alerts/rule-json';
import { listAlertRules, readAlertStates } from '@/store/alerts';
import { AlertsTable } from '../_components/alerts-table';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

/** The alert rules and what fires now, read-only: rules are added and removed with bin/jobs alerts. */
export default async function AlertsPage() {
  await requirePrincipal('/admin/alerts');
  const engine = await getEngine();
  const states = await readAlertStates(engine);
  const rules = (await listAlertRules(engine)).map((rule) => alertRuleJson(rule, states));
  return (
    <>
      <h1>Alerts</h1>
      <section className={styles.card} aria-label="Alert rules">
        <AlertsTable rules={rules} now={Date.now()} />
        <p className={styles.muted}>Checked by the cron poller every {defaults.alertCheckIntervalMs / 1000} s; edit them with <code>bin/jobs alerts add|remove</code>.</p>
      </section>
    </>
  );
}
