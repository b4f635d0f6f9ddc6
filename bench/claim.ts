// The claim stays fast however the table grows: claim-one throughput (claim 1
// job, complete it) through the store on a temp file, in three setups:
//   a) 5,000 due jobs in an empty table
//   b) the same plus 1,000,000 completed jobs (and their attempt rows)
//   c) 5,000 due jobs plus 20,000 higher-priority jobs that are not due yet
// PLATFORM.md measured a naive (state, queue, priority, run_at, id) index fall
// from ~30k to ~1k claims/s in (c): not-yet-due jobs sat in front of the due
// ones. Ours keeps them out of the claim index (scheduled = 1), so (c) should
// be about (a).
//
//   npm run bench -- --claim-only [--due 5000] [--claims 1500] [--rounds 3]
//                                 [--completed 1000000] [--future 20000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resetConfig } from '../src/config/env';
import { newJobId } from '../src/core/ids';
import { closeEngine, getEngine } from '../src/db/client';
import type { Engine } from '../src/db/engine';
import { claimJobs, claimSelectSql } from '../src/store/claim';
import { enqueueJobs, type NewJob } from '../src/store/enqueue';
import { completeJob } from '../src/store/finish';

const { values } = parseArgs({
  options: {
    due: { type: 'string', default: '5000' },
    claims: { type: 'string', default: '1500' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '250' },
    completed: { type: 'string', default: '1000000' },
    future: { type: 'string', default: '20000' },
  },
});
const due = Number(values.due);
const claimsPerRound = Number(values.claims);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const completedRows = Number(values.completed);
const futureJobs = Number(values.future);
if (warmup + rounds * claimsPerRound > due) {
  console.error(`--due ${due} is less than --warmup + --rounds x --claims (${warmup + rounds * claimsPerRound}): nothing left to claim`);
  process.exit(2);
}

const workerId = 'bench-claim';
const leaseMs = 30_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-claim-bench-'));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** A fresh migrated database file as the process's engine (the previous one is closed first). */
async function freshEngine(name: string): Promise<Engine> {
  await closeEngine();
  process.env.DATABASE_URL = `file:${path.join(dir, `${name}.db`)}`;
  resetConfig();
  return getEngine();
}

function newJobs(count: number, opts: { priority: number; runAt: number }): NewJob[] {
  return Array.from({ length: count }, (_, i) => ({
    id: newJobId(), name: 'bench-noop', queue: 'default', priority: opts.priority, params: JSON.stringify({ i }),
    maxAttempts: 3, backoff: null, timeoutMs: 60_000, runAt: opts.runAt, idempotencyKey: null,
  }));
}

async function enqueue(engine: Engine, jobs: NewJob[]): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < jobs.length; start += 1000) await enqueueJobs(engine, jobs.slice(start, start + 1000), now);
}

/**
 * `count` completed jobs with one attempt row each, as a busy system leaves
 * behind, made by two INSERT ... SELECT statements in one write transaction.
 * Their ids sort before any new job's, as older UUIDv7 ids do.
 */
async function insertCompleted(engine: Engine, count: number): Promise<void> {
  const base = Date.now() - 2 * 86_400_000;
  await engine.batch([
    {
      sql: `INSERT INTO jobs (id, name, queue, state, scheduled, priority, params, progress, attempts, max_attempts,
                              timeout_ms, run_at, created_at, started_at, completed_at)
            WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
            SELECT printf('00000000-0000-7000-8000-%012d', x), 'bench-noop', 'default', 'completed', 0, 0,
                   '{"i":' || x || '}', 100, 1, 3, 60000, ? + x, ? + x, ? + x, ? + x + 1 FROM n`,
      args: [count, base, base, base, base],
    },
    {
      sql: `INSERT INTO job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome)
            SELECT id, 1, 'bench-old', started_at, completed_at, 'completed' FROM jobs WHERE state = 'completed'`,
    },
  ]);
  await engine.all('PRAGMA wal_checkpoint(TRUNCATE)');
}

interface Round {
  jobsPerSec: number;
  claimUs: number;
  completeUs: number;
}

/** Claims one job and completes it, `count` times; every claimed job must be due. */
async function claimRound(engine: Engine, count: number): Promise<Round> {
  let claimMs = 0;
  let completeMs = 0;
  const t0 = performance.now();
  for (let k = 0; k < count; k++) {
    const now = Date.now();
    const s = performance.now();
    const [job] = await claimJobs(engine, { workerId, queues: [], limit: 1, now, leaseMs });
    const m = performance.now();
    if (!job) throw new Error('no due job left to claim');
    if (job.runAt > now) throw new Error(`claimed job ${job.id} is not due yet (run_at ${job.runAt} > now ${now})`);
    if (!(await completeJob(engine, { jobId: job.id, workerId, attempt: job.attempts }, { result: null, now, logs: [] }))) {
      throw new Error(`completing ${job.id} found it no longer ours`);
    }
    claimMs += m - s;
    completeMs += performance.now() - m;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { jobsPerSec: count / seconds, claimUs: (claimMs * 1000) / count, completeUs: (completeMs * 1000) / count };
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(engine: Engine): Promise<Round & { plan: string }> {
  const plan = (await engine.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${claimSelectSql.anyQueue}`, [1])).map((r) => r.detail).join('; ');
  await claimRound(engine, warmup);
  const results: Round[] = [];
  for (let r = 0; r < rounds; r++) results.push(await claimRound(engine, claimsPerRound));
  return {
    plan,
    jobsPerSec: medianOf(results.map((r) => r.jobsPerSec)),
    claimUs: medianOf(results.map((r) => r.claimUs)),
    completeUs: medianOf(results.map((r) => r.completeUs)),
  };
}

interface Setup {
  label: string;
  fill(engine: Engine): Promise<void>;
}

const n = (x: number) => x.toLocaleString('en-US');
const setups: Setup[] = [
  { label: `a) ${n(due)} due jobs, empty table`, fill: async () => {} },
  {
    label: `b) a + ${n(completedRows)} completed jobs`,
    fill: async (engine) => {
      const t = performance.now();
      await insertCompleted(engine, completedRows);
      process.stderr.write(`[claim] inserted ${n(completedRows)} completed jobs + attempts in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    },
  },
  {
    label: `c) a + ${n(futureJobs)} not-yet-due jobs of higher priority`,
    fill: (engine) => enqueue(engine, newJobs(futureJobs, { priority: 10, runAt: Date.now() + 3_600_000 })),
  },
];

try {
  say(`Claim bench: claim one + complete it, ${rounds} rounds of ${n(claimsPerRound)} after ${warmup} warm-up (median round), temp file, WAL, synchronous=NORMAL`);
  const rows: (Round & { label: string; plan: string })[] = [];
  for (const [k, setup] of setups.entries()) {
    const engine = await freshEngine(`setup-${k}`);
    await setup.fill(engine);
    await enqueue(engine, newJobs(due, { priority: 0, runAt: Date.now() }));
    rows.push({ label: setup.label, ...(await measure(engine)) });
  }
  const baseline = rows[0].jobsPerSec;
  say('');
  say('| setup | jobs/s | ratio to a | claim us | complete us |');
  say('|---|---|---|---|---|');
  for (const r of rows) {
    say(`| ${r.label} | ${Math.round(r.jobsPerSec)} | ${(r.jobsPerSec / baseline).toFixed(2)} | ${r.claimUs.toFixed(0)} | ${r.completeUs.toFixed(0)} |`);
  }
  say('');
  say(`claim plan (all setups): ${[...new Set(rows.map((r) => r.plan))].join(' | ')}`);
} finally {
  await closeEngine();
  fs.rmSync(dir, { recursive: true, force: true });
}
