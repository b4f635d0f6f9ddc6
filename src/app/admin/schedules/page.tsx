import { getEngine } from '@/db/client';
import { nextFireAfter } from '@/core/cron';
import { registry } from '@/jobs';
import { listSchedules } from '@/store/cron';
import { AddScheduleForm, ScheduleControls } from '../_components/schedule-controls';
import { StateLabel } from '../_components/state-label';
import { When } from '../_components/when';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

const firesShown = 5;

/** The next `count` fire times after `now`, fewer if the schedule stops firing. */
function nextFires(cron: string, timezone: string, now: number, count: number): number[] {
  const fires: number[] = [];
  let t: number | null = now;
  while (fires.length < count && (t = nextFireAfter(cron, timezone, t)) !== null) fires.push(t);
  return fires;
}

/** A moment as YYYY-MM-DD HH:mm:ss on the clock of `timeZone`. */
function clock(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(ms).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Every schedule: its job, timing, next fires (in its timezone and in UTC), last run and run counts; the admin role may change them. */
export default async function SchedulesPage() {
  const principal = await requirePrincipal('/admin/schedules');
  const isAdmin = principal.role === 'admin';
  const schedules = await listSchedules(await getEngine());
  const now = Date.now();
  return (
    <>
      <h1>Schedules</h1>
      <section className={styles.card} aria-label="Schedules">
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="schedules-table">
            <thead>
              <tr>
                <th>Name</th><th>Job</th><th>Cron</th><th>Timezone</th><th>Enabled</th><th>Source</th>
                <th>Next {firesShown} fires (its timezone / UTC)</th><th>Last run</th>
                <th className={styles.num} title="total / completed / failed / missed">Runs</th>
                {isAdmin && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {schedules.length === 0 && (
                <tr><td colSpan={isAdmin ? 10 : 9} className={styles.empty}>No schedules yet.</td></tr>
              )}
              {schedules.map((s) => {
                const fires = nextFires(s.cron, s.timezone, now, firesShown);
                return (
                  <tr key={s.name} data-testid="schedule-row" data-name={s.name} data-enabled={s.enabled === 1 ? 'true' : 'false'} data-source={s.source}>
                    <td className={styles.mono}>{s.name}</td>
                    <td>{s.jobName}</td>
                    <td className={styles.mono}>{s.cron}</td>
                    <td>{s.timezone}</td>
                    <td data-testid="schedule-enabled"><StateLabel label={s.enabled === 1 ? 'enabled' : 'disabled'} /></td>
                    <td>{s.source}</td>
                    <td>
                      {fires.length === 0 ? <span className={styles.muted}>never again</span> : (
                        <ol className={styles.fires} data-testid="next-fires">
                          {fires.map((f) => (
                            <li key={f} data-testid="next-fire" data-at={new Date(f).toISOString()}>
                              <time dateTime={new Date(f).toISOString()}>{clock(f, s.timezone)}</time>
                              {s.timezone !== 'UTC' && <span className={styles.muted}> · {clock(f, 'UTC')} UTC</span>}
                            </li>
                          ))}
                        </ol>
                      )}
                    </td>
                    <td><When at={s.lastRunAt} now={now} /></td>
                    <td className={styles.num} data-testid="schedule-runs">
                      {s.runsTotal} / {s.runsCompleted} / <span title="failed">{s.runsFailed}</span> / <span title="missed">{s.runsMissed}</span>
                    </td>
                    {isAdmin && <td><ScheduleControls name={s.name} enabled={s.enabled === 1} removable={s.source === 'operator'} /></td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className={styles.muted}>Runs: total / completed / failed / missed. Fires are listed whether or not the schedule is enabled.</p>
      </section>
      {isAdmin && (
        <section className={styles.card} aria-labelledby="add-title">
          <h2 id="add-title">Add a schedule</h2>
          <AddScheduleForm jobNames={registry.list().map((e) => e.name)} />
        </section>
      )}
    </>
  );
}
