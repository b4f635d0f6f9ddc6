import { getEngine } from '@/db/client';
import { countByState, listJobs } from '@/store/queries';
import { EnqueueForm } from './_components/enqueue-form';
import { JobsTable } from './_components/jobs-table';
import { LiveRefresh } from './_components/live-refresh';
import { StateCounts } from './_components/state-counts';

// Read the database on every request (and every live refresh), never at build time.
export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const engine = await getEngine();
  const jobs = await listJobs(engine, { limit: 20 });
  const counts = await countByState(engine);

  return (
    <main className="page">
      <header className="masthead">
        <h1>Fluent Jobs</h1>
        <p>Background jobs on SQLite. Enqueue a demo job and watch a worker run it.</p>
      </header>

      <section className="card" aria-labelledby="enqueue-title">
        <h2 id="enqueue-title">Enqueue a demo job</h2>
        <EnqueueForm />
      </section>

      <section className="card" aria-labelledby="jobs-title">
        <div className="section-head">
          <h2 id="jobs-title">Newest jobs</h2>
          <LiveRefresh everyMs={1_000} />
        </div>
        <StateCounts counts={counts} />
        <JobsTable jobs={jobs} now={Date.now()} />
      </section>
    </main>
  );
}
