import { getEngine } from '@/db/client';
import { nextFireAfter } from '@/core/cron';
import { registry } from '@/jobs';
import { displayState } from '@/core/states';
import { listSchedules } from '@/store/cron';
import { lastJobsOfSchedules, type ScheduleLastJob } from '@/store/schedule-runs';
import { JobLink } from '../_components/job-link';
import { AddScheduleForm, ScheduleControls } from '../_components/schedule-controls';
import { StateLabel } from '../_components/state-label';
import { When } from '../_components/when';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';
import { RefreshOnChange } from '../_components/live/refresh-on-change';

export const dynamic = 'force-dynamic';

const firesShown = 5;

/** The next `count` fire times after `now`, fewer if the schedule stops firing. */
function nextFires(cron: string, timezone: string, now: number, count: number): number[] {
  const fires: number[] = [];
  let t: number | null = now;
  while (fires.length < count && (t = nextFireAfter(cron, timezone, t)) !== null) fires.push(t);
  return fires;
}

/** A moment on the clock of `timeZone`: its date and its time (seconds only when not :00). */
function clock(ms: number, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(ms).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}${parts.second === '00' ? '' : `:${parts.second}`}` };
}

/** A fire in the schedule's timezone, then in UTC (its date only when that differs). */
function fireText(ms: number, timeZone: string): { local: string; utc: string | null } {
  const local = clock(ms, timeZone);
  if (timeZone === 'UTC') return { local: `${local.date} ${local.time} UTC`, utc: null };
  const utc = clock(ms, 'UTC');
  return { local: `${local.date} ${local.time}`, utc: `${utc.date === local.date ? '' : `${utc.date} `}${utc.time} UTC` };
}

/**
 * A schedule's last run: when its newest job was enqueued (a fire or Run now), that job and its state;
 * the time of a later fire whose job is gone (cleaned up); or never.
 */
function LastRun({ lastRunAt, job, now }: { lastRunAt: number | null; job: ScheduleLastJob | undefined; now: number }) {
  if (lastRunAt !== null && (!job || lastRunAt > job.createdAt)) {
    return <span data-testid="last-run" data-state="deleted"><When at={lastRunAt} now={now} /> <span className={styles.muted}>(its job was deleted)</span></span>;
  }
  if (!job) return <span className={styles.muted} data-testid="last-run" data-state="never">never</span>;
  const label = displayState(job, now);
  return (
    <span className={styles.lastRun} data-testid="last-run" data-state={label} data-job-id={job.id}>
      <When at={job.createdAt} now={now} />
      <JobLink id={job.id} />
      <StateLabel label={label} />
    </span>
  );
}

/** Every schedule: its job, timing, next fires (in its timezone and in UTC), last run and its job's state, and run counts; the admin role may change them. */
export default async function SchedulesPage() {
  const principal = await requirePrincipal('/admin/schedules');
  const isAdmin = principal.role === 'admin';
  const engine = await getEngine();
  const schedules = await listSchedules(engine);
  const lastJobs = await lastJobsOfSchedules(engine);
  const now = Date.now();
  return (
    <>
      <h1>Schedules</h1>
      <RefreshOnChange everyMs={5_000} />
      <section className={styles.card} aria-label="Schedules">
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="schedules-table">
            <thead>
              <tr>
                <th>Name</th><th>Job</th><th>Cron</th><th>Timezone</th><th>Enabled</th><th>Source</th>
                <th>Next {firesShown} fires (its timezone / UTC)</th><th title="When it last enqueued a job (a fire or Run now), that job and its state">Last run</th>
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
                          {fires.map((f) => {
                            const text = fireText(f, s.timezone);
                            const iso = new Date(f).toISOString();
                            return (
                              <li key={f} data-testid="next-fire" data-at={iso}>
                                <time dateTime={iso} title={iso}>{text.local}</time>
                                {text.utc && <span className={styles.muted}> · {text.utc}</span>}
                              </li>
                            );
                          })}
                        </ol>
                      )}
                    </td>
                    <td><LastRun lastRunAt={s.lastRunAt} job={lastJobs.get(s.name)} now={now} /></td>
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
