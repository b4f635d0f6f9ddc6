import { getEngine } from '@/db/client';
import { currentPrincipal } from '@/server/auth';
import { countByState, listJobs } from '@/store/queries';
import { EnqueueForm } from './_components/enqueue-form';
import { JobsTable } from './_components/jobs-table';
import { LiveRefresh } from './_components/live-refresh';
import { SessionBar } from './_components/session-bar';
import { SignInPrompt } from './_components/sign-in-prompt';
import { StateCounts } from './_components/state-counts';
import styles from './_components/session.module.css';

// Read the database on every request (and every live refresh), never at build time.
export const dynamic = 'force-dynamic';

export default async function HomePage() {
  // The form stays open, as an app's own page would be; the jobs, which may hold private params, need a sign-in.
  const principal = await currentPrincipal();

  return (
    <main className="page">
      <header className="masthead">
        <div className={styles.headRow}>
          <h1>Fluent Jobs</h1>
          {principal && <SessionBar principal={principal} />}
        </div>
        <p>Background jobs on SQLite. Enqueue a demo job and watch a worker run it.</p>
      </header>

      <section className="card" aria-labelledby="enqueue-title">
        <h2 id="enqueue-title">Enqueue a demo job</h2>
        <EnqueueForm />
      </section>

      <section className="card" aria-labelledby="jobs-title">
        {principal ? <NewestJobs /> : (
          <>
            <h2 id="jobs-title">Newest jobs</h2>
            <SignInPrompt />
          </>
        )}
      </section>
    </main>
  );
}

/** Rendered only for a signed-in visitor (either role: the list only reads). */
async function NewestJobs() {
  const engine = await getEngine();
  const jobs = await listJobs(engine, { limit: 20 });
  const counts = await countByState(engine);
  return (
    <>
      <div className="section-head">
        <h2 id="jobs-title">Newest jobs</h2>
        <LiveRefresh everyMs={1_000} />
      </div>
      <StateCounts counts={counts} />
      <JobsTable jobs={jobs} now={Date.now()} />
    </>
  );
}
