// Round trips and throughput of the remote-database code path (Turso / a libSQL server).
//
//   node --import tsx bench/remote-round-trips.ts [--jobs 300] [--concurrency 16] [--delays 0,5,20,50]
//
// The engine is the one a worker uses on a libsql:// URL (src/db/remote-engine.ts), here over
// @libsql/client's own SQLite on a temp file, so every statement is the one a server would run.
// Around it, a wrapping engine counts each call (each is one HTTP request, one round trip, to a
// server: a batch is one request) and its statements, and waits `delay` ms before each call to
// stand for the network. (tursodb cannot be used here: it refuses the enqueue's upsert, see
// test/remote/tursodb-store.test.ts.) A real Worker with the no-op bench job drains the jobs;
// the bench prints, per delay, round trips and statements per job by kind, and jobs/s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getConfig, resetConfig } from '../src/config/env';
import type { Engine, Statement } from '../src/db/engine';
import { migrate } from '../src/db/migrate';
import { openRemoteEngine } from '../src/db/remote-engine';
import { newJobId } from '../src/core/ids';
import { JobRegistry, jobEvents } from '../src/lib/jobs';
import { enqueueJobs } from '../src/store/enqueue';
import { createWorkerLog } from '../src/worker/log';
import { Worker } from '../src/worker/worker';
import { BenchNoopJob } from './noop-job';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '16' }, delays: { type: 'string', default: '0,5,20,50' } },
});
const jobCount = Number(values.jobs);
const concurrency = Number(values.concurrency);

type Kind = 'claim' | 'finish' | 'enqueue' | 'other';
/** What a call is, by its statements' text (the bench needs no hook in src/). */
function kindOf(statements: Statement[]): Kind {
  const text = statements.map((s) => s.sql).join('\n');
  if (/UPDATE\s+jobs\b[\s\S]*?\bSET\s+state\s*=\s*'running'/i.test(text)) return 'claim';
  if (/INSERT OR IGNORE INTO job_attempts/i.test(text)) return 'finish';
  if (/INSERT INTO jobs\b/i.test(text)) return 'enqueue';
  return 'other';
}

interface Tally { calls: number; statements: number }
function countingEngine(engine: Engine, delayMs: number) {
  const tally = new Map<Kind, Tally>();
  const otherSql = new Map<string, number>();
  const note = (statements: Statement[]) => {
    const kind = kindOf(statements);
    const t = tally.get(kind) ?? { calls: 0, statements: 0 };
    t.calls++;
    t.statements += statements.length;
    tally.set(kind, t);
    if (kind === 'other') {
      const key = statements[0].sql.replace(/\s+/g, ' ').slice(0, 70);
      otherSql.set(key, (otherSql.get(key) ?? 0) + 1);
    }
  };
  const wait = () => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve());
  const wrapped: Engine = {
    kind: engine.kind,
    location: engine.location,
    orm: engine.orm,
    all: async (sql, args) => (note([{ sql }]), await wait(), engine.all(sql, args)),
    run: async (sql, args) => (note([{ sql }]), await wait(), engine.run(sql, args)),
    batch: async (statements) => (note(statements), await wait(), engine.batch(statements)),
    // A server builds it at once (remote-engine.ts), so this counts it as the request it is.
    deferredBatch: async (build) => {
      const statements = build();
      note(statements);
      await wait();
      return engine.deferredBatch(() => statements);
    },
    close: () => engine.close(),
  };
  return { engine: wrapped, tally, otherSql, reset: () => (tally.clear(), otherSql.clear()) };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-remote-bench-'));
process.env.DATABASE_URL = `file:${path.join(dir, 'unused.db')}`; // the config needs one; the worker is handed its engine
resetConfig();
const registry = new JobRegistry([BenchNoopJob]);
const log = createWorkerLog(() => {}, { quiet: true });
let completed = 0;
jobEvents.on('job.completed', () => void completed++);

console.log(`${jobCount} no-op jobs, one worker of concurrency ${concurrency}, remote engine (@libsql/client)`);
for (const delayMs of values.delays.split(',').map(Number)) {
  const base = openRemoteEngine(`file:${path.join(dir, `d${delayMs}.db`)}`, undefined);
  // WAL and synchronous=NORMAL as a server keeps its file, so that the local fsyncs do not stand in for the network.
  await base.all('PRAGMA journal_mode = WAL');
  await base.run('PRAGMA synchronous = NORMAL');
  await migrate(base);
  const counted = countingEngine(base, delayMs);
  const t0 = Date.now();
  // Enqueued in one call (as laterMany does), before the worker starts, so the drain is claims and finishes only.
  await enqueueJobs(counted.engine, Array.from({ length: jobCount }, (_, i) => ({
    id: newJobId(), name: BenchNoopJob.jobName, queue: 'default', priority: 0, params: JSON.stringify({ i, t: 0 }), maxAttempts: 1,
    backoff: null, timeoutMs: 60_000, runAt: t0, idempotencyKey: null,
  })), t0);
  const enqueueTally = counted.tally.get('enqueue');
  const worker = new Worker({ engine: counted.engine, config: getConfig(), registry, queues: [], concurrency, log });
  await worker.start();
  counted.reset();
  completed = 0;
  const started = performance.now();
  while (completed < jobCount) await new Promise((resolve) => setTimeout(resolve, 2));
  const seconds = (performance.now() - started) / 1000;
  const tally = new Map(counted.tally);
  const others = [...counted.otherSql].sort((a, b) => b[1] - a[1]).slice(0, 4);
  await worker.stop();
  await base.close();
  const per = (kind: Kind) => {
    const t = tally.get(kind) ?? { calls: 0, statements: 0 };
    return `${kind} ${(t.calls / jobCount).toFixed(3)} trips/job, ${(t.statements / Math.max(1, t.calls)).toFixed(1)} stmts/trip`;
  };
  const trips = [...tally.values()].reduce((n, t) => n + t.calls, 0);
  console.log(`delay ${delayMs} ms: ${Math.round(jobCount / seconds)} jobs/s; ${(trips / jobCount).toFixed(2)} round trips/job while draining`
    + ` (${per('claim')}; ${per('finish')}; ${per('other')}); enqueue of ${jobCount}: ${enqueueTally?.calls} trip(s), ${enqueueTally?.statements} statements`);
  for (const [sql, n] of others) console.log(`    other: ${n}x ${sql}`);
}
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
