import type { AttemptJson } from '@/lib/jobs/json';
import { duration } from '../_lib/format';
import { StateLabel } from './state-label';
import { When } from './when';
import styles from '../admin.module.css';

/** Every attempt, newest first, with its outcome, error, stack and log lines (their data masked); each is #attempt-<n>, for links to it. */
export function AttemptsList({ attempts, now }: { attempts: AttemptJson[]; now: number }) {
  if (attempts.length === 0) return <p className={styles.muted}>No attempt has ended yet.</p>;
  return (
    <div data-testid="attempts">
      {[...attempts].reverse().map((a) => (
        <article key={a.attempt} id={`attempt-${a.attempt}`} className={styles.attempt} data-testid="attempt" data-outcome={a.outcome}>
          <div className={styles.head}>
            <strong>Attempt {a.attempt}</strong>
            <StateLabel label={a.outcome} />
            <span className={styles.muted}>
              on {a.worker ?? 'this process'}, ended <When at={a.finishedAt} now={now} />, took {duration(Date.parse(a.finishedAt) - Date.parse(a.startedAt))}
            </span>
          </div>
          {a.error && <p className={styles.error}><strong>{a.error.name}</strong>: {a.error.message}</p>}
          {a.stack && (
            <details>
              <summary>Stack</summary>
              <pre className={styles.pre}>{a.stack}</pre>
            </details>
          )}
          {a.logs.length > 0 && (
            <ul className={styles.logs} aria-label={`Log of attempt ${a.attempt}`}>
              {a.logs.map((line, i) => (
                <li key={i}>
                  <span className={styles.muted} title={line.at}>{line.at.slice(11, 23)}</span> {line.level.toUpperCase()} {line.message}
                  {line.data !== undefined && <span className={styles.muted}> {JSON.stringify(line.data)}</span>}
                </li>
              ))}
            </ul>
          )}
        </article>
      ))}
    </div>
  );
}
