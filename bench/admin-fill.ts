// The database of bench/admin-scale.ts: `count` jobs (1,000,000 by default) created over the
// last 24 hours, oldest first, in the mix of the speed issue: 80% completed, 15% failed in 40
// failure groups (bench/failure-kinds.ts), and the newest 5% still pending or running.
//
// Written by SQL alone (INSERT ... SELECT from a recursive CTE), so a million rows take
// seconds, not a million round trips. The jobs go in through the schema's triggers as in use:
// the failure groups are counted by the triggers of migration 0005 (each failed job inserted
// with its fingerprint, as the worker sets it), and the change feed row each insert appends is
// folded into job_counts by the store's own foldChanges (settleFill, which then checks the
// counts against a count of the table). Only job_minutes is written directly, since an insert
// is not an end or a retry the fold counts: one grouped INSERT over the jobs' end times and their
// attempts' ends, with the run-time buckets the fold uses; checkMinutes verifies it.
import type { Engine, Statement } from '../src/db/engine';
import { nextFireAfter } from '../src/core/cron';
import { recordFingerprintStatement } from '../src/store/failure-groups';
import { runTimeBucketsMs } from '../src/store/stats';
import { failureKinds, fingerprintParts } from './failure-kinds';
import { jobKinds as busyKinds, settleFill } from './scale-fill';

const dayMs = 86_400_000;
/** Jobs per INSERT statement: each one transaction, so the WAL stays a few hundred MB at most. */
const chunk = 250_000;
/** The queues and names of api-scale's busy week, and a small queue beside them: 1 job in 2,000 (what a filter for a rare queue finds). */
export const smallQueue = { queue: 'billing', name: 'charge-card', share: 0.0005 };
const jobKinds = [...busyKinds.map((k) => ({ ...k, share: k.share * (1 - smallQueue.share) })), smallQueue];

/** Distinct user ids in params.user.id: each is in about count / userIds jobs. */
export const userIds = 200_000;

/** The workers rows: three alive ones that hold the running jobs' leases, one dead that still holds some, and stopped ones. */
export const benchWorkers = {
  alive: ['bench-host:4101:a1f0', 'bench-host:4102:b2e1', 'bench-host:4103:c3d2'],
  dead: 'bench-host:3999:dead',
  stopped: Array.from({ length: 20 }, (_, i) => `bench-host:${3000 + i}:old${i}`),
  concurrency: 16,
};
/** Running jobs: a full worker's worth per alive worker, and as many held by the dead one. */
export const runningJobs = benchWorkers.concurrency * (benchWorkers.alive.length + 1);

export interface AdminFill {
  byState: Record<string, number>;
  /** Rows in job_attempts and job_minutes. */
  attempts: number;
  minutes: number;
  /** ms for the inserts, and for the fold, prune and checks after them. */
  insertMs: number;
  settleMs: number;
}

/** The jobs mix: completed and failed before `backlogFrom`, then the backlog. */
export function mixOf(count: number) {
  const backlogFrom = count - Math.round(count * 0.05);
  return { backlogFrom, failed: Math.floor((backlogFrom * 3) / 19), backlog: count - backlogFrom };
}

/** A uniform float in [0, 1) from bits `shift`.. of the 64-bit random `r`. */
const unit = (r: string, shift: number) => `(((${r} >> ${shift}) & 1048575) / 1048576.0)`;

/** The worker of running job (or attempt) n: n / concurrency, over the alive workers and then the dead one. */
const workerOf = (n: string) => `(SELECT id FROM temp.bench_workers WHERE n = (${n}) / ${benchWorkers.concurrency} % ${benchWorkers.alive.length + 1})`;

/** The 64-bit randoms of row i are drawn once, in the recursive CTE, so each is one value however often it is read. */
function jobsInsert(): string {
  const runMs = `CAST(2 * pow(10, 4 * ${unit('r1', 11)}) AS INTEGER)`; // 2 ms to 20 s, log-uniform
  // Failed: one in 19/3 of the finished rows, spread evenly (exactly floor(n * 3 / 19) of the first n).
  const isFailed = `((i + 1) * 3) / 19 > (i * 3) / 19`;
  const backlogKind = `CASE WHEN i - $backlogFrom < $running THEN 'running' WHEN (i - $backlogFrom) % 50 < 5 THEN 'delayed' WHEN (i - $backlogFrom) % 50 = 5 THEN 'retrying' ELSE 'ready' END`;
  return `
  WITH RECURSIVE seq(i, r1, r2, r3, r4) AS (
    SELECT $from, random(), random(), random(), random()
    UNION ALL SELECT i + 1, random(), random(), random(), random() FROM seq WHERE i + 1 < $to
  ),
  shaped AS (
    SELECT i, r1, r2, r3, $start + (i * $span) / $count AS created_at,
      CASE WHEN i >= $backlogFrom THEN ${backlogKind} WHEN ${isFailed} THEN 'failed' ELSE 'completed' END AS kind,
      (r4 & 65535) AS kind_roll, ((r3 >> 24) & 1048575) % $failureWeight AS failure_roll,
      ${runMs} AS run_ms, (r3 & 1048575) AS wait_roll
    FROM seq
  ),
  placed AS (
    SELECT s.*, coalesce(f.name, k.name) AS name, coalesce(f.queue, k.queue) AS queue, f.fingerprint, f.error_name, f.template,
      CASE s.kind
        WHEN 'completed' THEN s.created_at + 5 + s.wait_roll % 5000
        WHEN 'failed' THEN s.created_at + 60000 + s.wait_roll % 840000
        WHEN 'running' THEN $now - 1000 - s.wait_roll % 20000
        WHEN 'retrying' THEN s.created_at + 5 + s.wait_roll % 5000
      END AS started_at
    FROM shaped s JOIN bench_kinds k ON s.kind_roll >= k.lo AND s.kind_roll < k.hi
    LEFT JOIN bench_failure_kinds f ON s.kind = 'failed' AND s.failure_roll >= f.lo AND s.failure_roll < f.hi
  )
  INSERT INTO jobs (id, name, queue, state, scheduled, priority, params, result, error, progress, attempts, max_attempts,
    timeout_ms, run_at, created_at, started_at, completed_at, locked_by, locked_until, fingerprint)
  SELECT
    printf('%08x-%04x-7%03x-%04x-%06x%06x', created_at >> 16, created_at & 65535, (r1 >> 40) & 4095, 32768 | ((r2 >> 40) & 16383), i, (r2 >> 10) & 16777215),
    name, queue,
    CASE kind WHEN 'completed' THEN 'completed' WHEN 'failed' THEN 'failed' WHEN 'running' THEN 'running' ELSE 'pending' END,
    CASE kind WHEN 'delayed' THEN 1 WHEN 'retrying' THEN 1 ELSE 0 END,
    CASE WHEN ((r2 >> 20) & 15) < 2 THEN 5 ELSE 0 END,
    printf('{"user":{"id":%d},"tenant":{"id":%d,"region":"%s"},"source":"bench"}', 1 + ((r3 >> 44) & 1048575) % $userIds, 1 + (r1 & 255) % 200, CASE WHEN r1 & 1 THEN 'eu' ELSE 'us' END),
    CASE kind WHEN 'completed' THEN printf('{"ok":true,"took":%d}', run_ms) END,
    CASE kind WHEN 'failed' THEN replace(template, '#', (r1 >> 30) & 1023) WHEN 'retrying' THEN 'Timed out after 60000 ms' END,
    CASE kind WHEN 'completed' THEN 100 WHEN 'failed' THEN ((r1 >> 50) & 1023) % 90 WHEN 'running' THEN ((r1 >> 50) & 1023) % 90 ELSE 0 END,
    CASE kind WHEN 'completed' THEN 1 + (((r3 >> 20) & 63) < 3) WHEN 'failed' THEN 3 WHEN 'ready' THEN 0 WHEN 'delayed' THEN 0 ELSE 1 END,
    3, 60000,
    CASE kind WHEN 'delayed' THEN $now + 3600000 + wait_roll * 80 WHEN 'retrying' THEN $now + 10000 + wait_roll % 600000 ELSE created_at END,
    created_at, started_at,
    CASE kind WHEN 'completed' THEN started_at + run_ms WHEN 'failed' THEN started_at + run_ms % 30000 END,
    CASE WHEN kind = 'running' THEN ${workerOf('i - $backlogFrom')} END,
    CASE WHEN kind = 'running' THEN (CASE WHEN i - $backlogFrom < $aliveRunning THEN $now + 30000 ELSE $now - 540000 END) END,
    fingerprint
  FROM placed ORDER BY i`;
}

/** Each ended attempt of the finished and retrying jobs, as the worker records them (a failed one with its error, stack and log lines). */
const attemptsInsert = `
  INSERT INTO job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error, error_stack, logs)
  SELECT j.id, a.n, ${workerOf('unicode(substr(j.id, -1))')},
    CASE WHEN a.n = j.attempts AND j.state <> 'pending' THEN j.started_at ELSE j.created_at + 1 + (a.n - 1) * ((j.started_at - j.created_at) / 2) END,
    CASE WHEN a.n = j.attempts AND j.state <> 'pending' THEN j.completed_at
      ELSE j.created_at + 1 + (a.n - 1) * ((j.started_at - j.created_at) / 2) + CASE WHEN j.state = 'failed' THEN j.completed_at - j.started_at ELSE 2 END END,
    CASE WHEN j.state = 'completed' AND a.n = j.attempts THEN 'completed' WHEN f.fingerprint IS NULL THEN 'timed_out' ELSE 'failed' END,
    CASE WHEN j.state = 'completed' AND a.n = j.attempts THEN NULL WHEN f.fingerprint IS NULL THEN 'Timed out after 60000 ms' ELSE j.error END,
    CASE WHEN j.state = 'completed' AND a.n = j.attempts THEN NULL WHEN f.fingerprint IS NULL
      THEN 'TimeoutError: Timed out after 60000 ms\n    at Timeout._onTimeout (/srv/app/src/lib/jobs/execute.ts:141:17)'
      ELSE f.error_name || ': ' || j.error || f.stack_tail END,
    CASE WHEN f.fingerprint IS NOT NULL THEN printf('[{"at":%d,"level":"info","message":"calling the partner","data":{"attempt":%d}},{"at":%d,"level":"error","message":"gave up on this attempt"}]',
      j.created_at + 2, a.n, j.created_at + 3) END
  FROM jobs j JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) a ON a.n <= j.attempts
  LEFT JOIN bench_failure_kinds f ON f.fingerprint = j.fingerprint
  WHERE j.id >= $fromId AND j.id < $toId AND (j.state IN ('completed', 'failed') OR (j.state = 'pending' AND j.attempts > 0))
  ORDER BY j.id, a.n`;

/** Bucket i of the fold's histogram: the completed runs in (bound i-1, bound i]; the last, longer ones (store/fold.ts). */
const histogram = `json_array(${[...runTimeBucketsMs, null].map((bound, i) => {
  const low = i === 0 ? null : runTimeBucketsMs[i - 1];
  const test = [low === null ? null : `run_ms > ${low}`, bound === null ? null : `run_ms <= ${bound}`].filter(Boolean).join(' AND ');
  return `sum(completed = 1 AND ${test})`;
}).join(', ')})`;

/**
 * Per minute, queue and name: the jobs that completed or failed in it (by completed_at, as the
 * fold counts an end) and the attempts that went back to wait for a retry (by their end).
 */
const minutesInsert = `
  INSERT INTO job_minutes (minute, queue, name, completed, failed, cancelled, retried, run_ms_total, histogram)
  SELECT minute, queue, name, sum(completed), sum(failed), 0, sum(retried), coalesce(sum(CASE WHEN completed = 1 THEN run_ms END), 0), ${histogram}
  FROM (
    SELECT completed_at / 60000 AS minute, queue, name, state = 'completed' AS completed, state = 'failed' AS failed, 0 AS retried,
      completed_at - started_at AS run_ms
    FROM jobs INDEXED BY jobs_finished_idx WHERE state IN ('completed', 'failed') AND completed_at IS NOT NULL
    UNION ALL
    SELECT a.finished_at / 60000, j.queue, j.name, 0, 0, 1, NULL
    FROM job_attempts a JOIN jobs j ON j.id = a.job_id WHERE a.attempt < j.attempts OR j.state = 'pending'
  ) GROUP BY 1, 2, 3`;

/** Named arguments (`$name`) as the positional ones the engine takes; numbers as integers. */
function bind(sql: string, named: Record<string, number | string>): Statement {
  const args: (number | string)[] = [];
  const text = sql.replace(/\$([a-zA-Z]+)/g, (_, name: string) => {
    if (!(name in named)) throw new Error(`no value for :${name}`);
    args.push(named[name]);
    // better-sqlite3 binds every JS number as a REAL, which would make i, created_at and each division real.
    return typeof named[name] === 'number' ? 'CAST(? AS INTEGER)' : '?';
  });
  return { sql: text, args };
}

/** The small tables the inserts pick kinds, failure kinds and workers from (temp: this connection only, gone when it closes). */
function lookupTables(): Statement[] {
  const kinds = failureKinds();
  const statements: Statement[] = [
    { sql: 'CREATE TEMP TABLE bench_kinds (lo INTEGER, hi INTEGER, name TEXT, queue TEXT)' },
    { sql: 'CREATE TEMP TABLE bench_failure_kinds (lo INTEGER, hi INTEGER, name TEXT, queue TEXT, fingerprint TEXT PRIMARY KEY, error_name TEXT, template TEXT, stack_tail TEXT)' },
    { sql: 'CREATE TEMP TABLE bench_workers (n INTEGER PRIMARY KEY, id TEXT)' },
  ];
  let lo = 0;
  for (const [i, kind] of jobKinds.entries()) {
    const hi = i === jobKinds.length - 1 ? 65536 : lo + Math.round(kind.share * 65536);
    statements.push({ sql: 'INSERT INTO temp.bench_kinds VALUES (?, ?, ?, ?)', args: [lo, hi, kind.name, kind.queue] });
    lo = hi;
  }
  lo = 0;
  for (const kind of kinds) {
    statements.push({ sql: 'INSERT INTO temp.bench_failure_kinds VALUES (?, ?, ?, ?, ?, ?, ?, ?)', args: [lo, lo + kind.weight, kind.name, kind.queue, kind.fingerprint, kind.errorName, kind.template, kind.stackTail] });
    statements.push(recordFingerprintStatement(fingerprintParts(kind)));
    lo += kind.weight;
  }
  // Running job j of the backlog is held by worker j / concurrency: the alive ones first, then the dead one.
  [...benchWorkers.alive, benchWorkers.dead].forEach((id, n) => statements.push({ sql: 'INSERT INTO temp.bench_workers VALUES (?, ?)', args: [n, id] }));
  return statements;
}

export const failureWeight = () => failureKinds().reduce((sum, k) => sum + k.weight, 0);

/** The worker rows, schedules and action-log entries the other admin pages show. */
function sideRows(now: number): Statement[] {
  const names = JSON.stringify(jobKinds.map((k) => k.name));
  const statements: Statement[] = [];
  const worker = (id: string, startedAt: number, heartbeat: number, stoppedAt: number | null, pid: number) => statements.push({
    sql: `INSERT INTO workers (id, host, pid, queues, concurrency, job_names, started_at, last_heartbeat_at, stopped_at) VALUES (?, 'bench-host', ?, '*', ?, ?, ?, ?, ?)`,
    args: [id, pid, benchWorkers.concurrency, names, startedAt, heartbeat, stoppedAt],
  });
  benchWorkers.alive.forEach((id, i) => worker(id, now - 6 * 3_600_000, now, null, 4101 + i));
  worker(benchWorkers.dead, now - 30 * 3_600_000, now - 600_000, null, 3999);
  benchWorkers.stopped.forEach((id, i) => worker(id, now - (48 - i) * 3_600_000, now - (40 - i) * 3_600_000, now - (40 - i) * 3_600_000, 3000 + i));
  const schedules = [
    { name: 'nightly-report', job: 'build-report', cron: '0 2 * * *', tz: 'Europe/Paris' },
    { name: 'hourly-digest', job: 'digest', cron: '0 * * * *', tz: 'UTC' },
    { name: 'crm-sync', job: 'sync-crm', cron: '*/15 * * * *', tz: 'America/New_York' },
    { name: 'weekly-cleanup-report', job: 'build-report', cron: '30 6 * * 1', tz: 'Asia/Tokyo' },
    { name: 'webhook-retry-sweep', job: 'deliver-webhook', cron: '*/5 * * * *', tz: 'UTC' },
    { name: 'month-end-invoices', job: 'send-email', cron: '0 9 1 * *', tz: 'Europe/London' },
  ];
  for (const [i, s] of schedules.entries()) {
    statements.push({
      sql: `INSERT INTO cron_jobs (name, job_name, cron, timezone, params, description, enabled, source, last_run_at, next_run_at,
              runs_total, runs_completed, runs_failed, runs_missed, created_at, updated_at)
            VALUES (?, ?, ?, ?, '{"source":"schedule"}', ?, ?, 'operator', ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [s.name, s.job, s.cron, s.tz, `bench schedule ${i}`, i === 3 ? 0 : 1, now - 3_600_000, nextFireAfter(s.cron, s.tz, now),
        100 + i * 40, 95 + i * 38, 3 + i, i, now - 30 * dayMs, now - dayMs],
    });
  }
  // 2,000 action-log entries over the day: retries, cancels, pauses, logins.
  statements.push({
    sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1999)
      INSERT INTO activity (at, actor, action, target, job_ids, job_count, details)
      SELECT ? + i * 43000, CASE i % 3 WHEN 0 THEN 'admin' WHEN 1 THEN 'cli' ELSE 'readonly' END,
        CASE i % 4 WHEN 0 THEN 'job.retry' WHEN 1 THEN 'job.cancel' WHEN 2 THEN 'queue.pause' ELSE 'session.login' END,
        CASE i % 4 WHEN 2 THEN 'email' END,
        CASE WHEN i % 4 < 2 THEN (SELECT json_group_array(id) FROM (SELECT id FROM jobs WHERE id >= printf('%08x', (? + i * 43000) >> 16) ORDER BY id LIMIT 3)) END,
        CASE WHEN i % 4 < 2 THEN 3 ELSE 0 END, CASE i % 4 WHEN 3 THEN '{"with":"token"}' END
      FROM n`,
    args: [now - dayMs, now - dayMs],
  });
  return statements;
}

/**
 * Fills a migrated, empty database with `count` jobs ending at `now`, with their
 * attempts, failure groups, counts and per-minute rows, workers, schedules and an
 * action log. Throws if a derived table disagrees with the jobs.
 */
export async function fillAdminDatabase(engine: Engine, count: number, now: number, say: (line: string) => void): Promise<AdminFill> {
  if (count < 2_000 || count > 16_000_000) throw new Error('--jobs: from 2,000 to 16,000,000');
  const { backlogFrom } = mixOf(count);
  const t0 = performance.now();
  await engine.batch(lookupTables());
  const named = {
    start: now - dayMs, span: dayMs, count, now, backlogFrom, running: runningJobs, aliveRunning: benchWorkers.concurrency * benchWorkers.alive.length,
    failureWeight: failureWeight(), userIds,
  };
  for (let from = 0; from < count; from += chunk) {
    await engine.batch([bind(jobsInsert(), { ...named, from, to: Math.min(from + chunk, count) })]);
  }
  const insertedMs = performance.now() - t0;
  say(`  jobs inserted in ${(insertedMs / 1000).toFixed(1)} s`);
  const bounds = await engine.all<{ id: string }>('SELECT id FROM jobs ORDER BY id LIMIT 1 OFFSET ?', [0]);
  let fromId = bounds[0].id;
  for (let n = chunk; ; n += chunk) {
    const [next] = await engine.all<{ id: string }>('SELECT id FROM jobs ORDER BY id LIMIT 1 OFFSET ?', [n]);
    const toId = next?.id ?? 'g';
    await engine.batch([bind(attemptsInsert, { fromId, toId })]);
    if (!next) break;
    fromId = toId;
  }
  say(`  attempts inserted at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await engine.batch([{ sql: minutesInsert }, ...sideRows(now)]);
  const insertMs = performance.now() - t0;
  await settleFill(engine);
  await checkFailureGroups(engine);
  await checkMinutes(engine);
  const settleMs = performance.now() - t0 - insertMs;
  const byState = Object.fromEntries((await engine.all<{ state: string; n: number }>(
    'SELECT state, sum(n) AS n FROM job_counts GROUP BY state ORDER BY state')).map((r) => [r.state, Number(r.n)]));
  const [{ attempts }] = await engine.all<{ attempts: number }>('SELECT count(*) AS attempts FROM job_attempts');
  const [{ minutes }] = await engine.all<{ minutes: number }>('SELECT count(*) AS minutes FROM job_minutes');
  await engine.batch([{ sql: 'DROP TABLE temp.bench_kinds' }, { sql: 'DROP TABLE temp.bench_failure_kinds' }, { sql: 'DROP TABLE temp.bench_workers' }]);
  return { byState, attempts: Number(attempts), minutes: Number(minutes), insertMs, settleMs };
}

/** failure_groups (kept by the triggers) against a count of the failed jobs by name and fingerprint. */
async function checkFailureGroups(engine: Engine): Promise<void> {
  const kept = await engine.all('SELECT name, fingerprint, failed FROM failure_groups WHERE failed > 0 ORDER BY name, fingerprint');
  const counted = await engine.all(
    `SELECT name, coalesce(fingerprint, 'unknown') AS fingerprint, count(*) AS failed FROM jobs INDEXED BY jobs_failure_idx WHERE state = 'failed' GROUP BY 1, 2 ORDER BY 1, 2`);
  if (JSON.stringify(kept) !== JSON.stringify(counted)) throw new Error(`failure_groups disagrees with the jobs table:\n  kept    ${JSON.stringify(kept)}\n  counted ${JSON.stringify(counted)}`);
}

/** job_minutes' ends against the finished jobs, and its retries against the attempts that were not a job's last. */
async function checkMinutes(engine: Engine): Promise<void> {
  const [m] = await engine.all<{ completed: number; failed: number; retried: number }>(
    'SELECT sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried FROM job_minutes');
  const [j] = await engine.all<{ completed: number; failed: number }>(
    `SELECT sum(state = 'completed') AS completed, sum(state = 'failed') AS failed FROM jobs INDEXED BY jobs_finished_idx WHERE state IN ('completed', 'failed') AND completed_at IS NOT NULL`);
  const [a] = await engine.all<{ retried: number }>(
    `SELECT count(*) AS retried FROM job_attempts a JOIN jobs j ON j.id = a.job_id WHERE a.attempt < j.attempts OR j.state = 'pending'`);
  if (Number(m.completed) !== Number(j.completed) || Number(m.failed) !== Number(j.failed) || Number(m.retried) !== Number(a.retried)) {
    throw new Error(`job_minutes disagrees: minutes ${JSON.stringify(m)}, jobs ${JSON.stringify(j)}, retried attempts ${a.retried}`);
  }
}

/**
 * Makes a filled database current again before a run: the alive workers heartbeat
 * now and their leases run 30 s from now; the dead one stays silent. (A database
 * kept from an earlier run would otherwise show every worker dead.)
 */
export async function refreshLiveRows(engine: Engine, now: number): Promise<void> {
  const alive = JSON.stringify(benchWorkers.alive);
  await engine.batch([
    { sql: `UPDATE workers SET last_heartbeat_at = ? WHERE id IN (SELECT value FROM json_each(?))`, args: [now, alive] },
    { sql: `UPDATE jobs SET locked_until = ? WHERE state = 'running' AND locked_by IN (SELECT value FROM json_each(?))`, args: [now + 30_000, alive] },
  ]);
}
