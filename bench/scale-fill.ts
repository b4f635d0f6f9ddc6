// The jobs table a busy week leaves behind, for bench/api-scale.ts and the scale rows of
// `npm run bench` (bench/scale/finished-table.ts): `count` jobs created
// over seven days, oldest first, written with plain INSERTs in big write batches. The
// triggers fire on every insert (one change-feed row each, folded into job_counts after), as in use.
//
// The mix: about 91% completed, 5% failed (with error messages), 1% cancelled, 3% pending
// (a backlog of the newest 2.4%, due, and 0.6% scheduled for later, created any time in
// the week), and a few running at the head of the backlog. Failed and cancelled jobs sit
// among the completed ones at random (or, with failures 'incident', every failure in one day
// of the week, three days ago: 35% of that day's jobs); a failed job finished minutes after
// it was created (its retries), so finish order is not creation order.
import { foldChanges } from '../src/store/fold';
import { v7 } from 'uuid';
import type { Engine, Statement } from '../src/db/engine';
import { runTimeBucketsMs } from '../src/store/stats';
import { seededRandom, type Random } from '../test/helpers/seeded-random';

/** Jobs a write batch inserts: one transaction each. */
const rowsPerBatch = 20_000;
const weekMs = 7 * 86_400_000;
/** Running jobs at the head of the backlog: one worker of concurrency 16. */
export const runningJobs = 16;

/** Queue, name and share of the jobs. */
export const jobKinds = [
  { queue: 'default', name: 'demo', share: 0.2 },
  { queue: 'default', name: 'resize-image', share: 0.15 },
  { queue: 'default', name: 'sync-crm', share: 0.15 },
  { queue: 'email', name: 'send-email', share: 0.2 },
  { queue: 'email', name: 'digest', share: 0.05 },
  { queue: 'reports', name: 'build-report', share: 0.15 },
  { queue: 'webhooks', name: 'deliver-webhook', share: 0.1 },
] as const;

/** Tenants in params.tenant.id: each is in about 1 job in this many. */
export const tenants = 200;

const errors = [
  (r: Random) => `connect ECONNREFUSED 10.0.${r.int(4)}.${r.between(2, 250)}:5432`,
  (r: Random) => `Timed out after 60000 ms`,
  (r: Random) => `HTTP ${r.pick([500, 502, 503, 429])} from https://api.example.com/v2/orders/${r.int(1e6)}`,
  (r: Random) => `TypeError: Cannot read properties of undefined (reading '${r.pick(['email', 'id', 'items', 'total'])}')`,
  (r: Random) => `ZodError: params.${r.pick(['to', 'width', 'url'])}: Required`,
];

const columns = `id, name, queue, state, scheduled, priority, params, result, error, progress, attempts, max_attempts,
  timeout_ms, run_at, created_at, started_at, completed_at, locked_by, locked_until`;
const insertSql = `INSERT INTO jobs (${columns}) VALUES (${columns.split(',').map(() => '?').join(', ')})`;

interface Minute {
  minute: number;
  queue: string;
  name: string;
  completed: number;
  failed: number;
  cancelled: number;
  runMsTotal: number;
  histogram: number[];
}

function bucketOf(runMs: number): number {
  const i = runTimeBucketsMs.findIndex((upTo) => runMs <= upTo);
  return i === -1 ? runTimeBucketsMs.length : i;
}

/** A run time (ms) from 2 ms to about 20 s, most of them short: log-uniform. */
const runTimeMs = (r: Random) => Math.round(2 * 10 ** (r() * 4));

export interface FillResult {
  byState: Record<string, number>;
  minutes: number;
}

/**
 * Inserts `count` jobs ending at `now`, and the job_minutes rows their ends make
 * (the triggers add those on a finish, not on an insert), with seed `seed`.
 * With `finishedOnly`, the jobs that would be pending or running (the backlog,
 * the scheduled ones) are completed ones instead: a history with nothing left to do.
 */
export async function fillJobs(
  engine: Engine, count: number, now: number, failures: 'uniform' | 'incident' = 'uniform', seed = 7, options: { finishedOnly?: boolean } = {},
): Promise<FillResult> {
  const finishedOnly = options.finishedOnly ?? false;
  const r = seededRandom(seed);
  const incidentFrom = now - 4 * 86_400_000;
  const incidentTo = now - 3 * 86_400_000;
  /** The chance that a job created at `createdAt` failed: 5% overall either way. */
  const failureChance = (createdAt: number) => failures === 'uniform' ? 0.05 : createdAt >= incidentFrom && createdAt < incidentTo ? 0.35 : 0;
  const backlogFrom = Math.floor(count * (1 - 0.024));
  const byState: Record<string, number> = {};
  const minutes = new Map<string, Minute>();
  const end = (queue: string, name: string, completedAt: number, state: 'completed' | 'failed' | 'cancelled', runMs: number | null) => {
    const minute = Math.floor(completedAt / 60_000);
    const key = `${minute}|${queue}|${name}`;
    let m = minutes.get(key);
    if (!m) minutes.set(key, (m = { minute, queue, name, completed: 0, failed: 0, cancelled: 0, runMsTotal: 0, histogram: new Array(runTimeBucketsMs.length + 1).fill(0) }));
    m[state]++;
    if (runMs !== null) {
      m.runMsTotal += runMs;
      m.histogram[bucketOf(runMs)]++;
    }
  };

  let batch: Statement[] = [];
  for (let i = 0; i < count; i++) {
    const createdAt = now - weekMs + Math.floor((i * weekMs) / count);
    const kind = pickKind(r);
    const tenant = r.between(1, tenants);
    const params = JSON.stringify({ tenant: { id: tenant, region: tenant % 3 === 0 ? 'eu' : 'us' }, userId: r.int(1_000_000), note: kind.name === 'send-email' ? 'welcome' : null });
    // state, scheduled, result, error, progress, attempts, run_at, started_at, completed_at, locked_by, locked_until
    let row: [string, number, string | null, string | null, number, number, number, number | null, number | null, string | null, number | null];
    function completedRow(): typeof row {
      const startedAt = createdAt + r.between(5, 5_000);
      const runMs = runTimeMs(r);
      end(kind.queue, kind.name, startedAt + runMs, 'completed', runMs);
      return ['completed', 0, `{"ok":true,"took":${runMs}}`, null, 100, r.chance(0.05) ? 2 : 1, createdAt, startedAt, startedAt + runMs, null, null];
    }
    const roll = r();
    if (!finishedOnly && i >= backlogFrom && i < backlogFrom + runningJobs) {
      const startedAt = now - r.int(20_000);
      row = ['running', 0, null, null, r.int(90), 1, createdAt, startedAt, null, 'bench-worker', now + 30_000];
    } else if (!finishedOnly && i >= backlogFrom) {
      row = ['pending', 0, null, null, 0, 0, createdAt, null, null, null, null];
    } else if (!finishedOnly && roll < 0.006) {
      row = ['pending', 1, null, null, 0, 0, now + r.between(3_600_000, 30 * 86_400_000), null, null, null, null];
    } else if (finishedOnly && roll < 0.006) {
      row = completedRow(); // (kept apart so that the failure and cancel rolls below stay where they are)
    } else if (roll < 0.006 + failureChance(createdAt)) { // (the next 1% of rolls are the cancelled jobs)
      const startedAt = createdAt + r.between(60_000, 900_000); // the third attempt, after two backoffs
      const completedAt = startedAt + runTimeMs(r);
      row = ['failed', 0, null, r.pick(errors)(r), 0, 3, createdAt, startedAt, completedAt, null, null];
      end(kind.queue, kind.name, completedAt, 'failed', null);
    } else if (roll < 0.016 + failureChance(createdAt)) {
      const completedAt = createdAt + r.between(1_000, 3_600_000);
      row = ['cancelled', 0, null, 'Cancelled before it ran', 0, 0, createdAt, null, completedAt, null, null];
      end(kind.queue, kind.name, completedAt, 'cancelled', null);
    } else {
      row = completedRow();
    }
    const [state, scheduled, result, error, progress, attempts, runAt, startedAt, completedAt, lockedBy, lockedUntil] = row;
    byState[state] = (byState[state] ?? 0) + 1;
    batch.push({
      sql: insertSql,
      args: [v7({ msecs: createdAt }), kind.name, kind.queue, state, scheduled, r.chance(0.1) ? 5 : 0, params, result, error, progress, attempts, 3,
        60_000, runAt, createdAt, startedAt, completedAt, lockedBy, lockedUntil],
    });
    if (batch.length === rowsPerBatch) {
      await engine.batch(batch);
      batch = [];
    }
  }
  if (batch.length) await engine.batch(batch);

  const minuteRows = [...minutes.values()].map((m) => ({
    sql: `INSERT INTO job_minutes (minute, queue, name, completed, failed, cancelled, retried, run_ms_total, histogram) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    args: [m.minute, m.queue, m.name, m.completed, m.failed, m.cancelled, m.runMsTotal, JSON.stringify(m.histogram)],
  }));
  for (let start = 0; start < minuteRows.length; start += rowsPerBatch) await engine.batch(minuteRows.slice(start, start + rowsPerBatch));
  return { byState, minutes: minuteRows.length };
}

function pickKind(r: Random): (typeof jobKinds)[number] {
  let roll = r();
  for (const kind of jobKinds) {
    if ((roll -= kind.share) < 0) return kind;
  }
  return jobKinds[0];
}

/**
 * Folds the change feed into the counts (the triggers wrote one change per insert),
 * keeps only its newest row (a live system prunes it by age and count once folded,
 * always keeping the newest) and checks that job_counts says what counting the table says.
 */
export async function settleFill(engine: Engine): Promise<void> {
  await foldChanges(engine);
  await engine.run('DELETE FROM job_events WHERE id < (SELECT max(id) FROM job_events)');
  const kept = await engine.all<{ queue: string; state: string; waiting: number; n: number }>(
    'SELECT queue, state, waiting, n FROM job_counts WHERE n > 0 ORDER BY queue, state, waiting');
  const counted = await engine.all<{ queue: string; state: string; waiting: number; n: number }>(
    `SELECT queue, state, CASE WHEN state = 'pending' THEN scheduled ELSE 0 END AS waiting, count(*) AS n FROM jobs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  if (JSON.stringify(kept) !== JSON.stringify(counted)) {
    throw new Error(`job_counts disagrees with the jobs table:\n  kept    ${JSON.stringify(kept)}\n  counted ${JSON.stringify(counted)}`);
  }
  await engine.all('PRAGMA wal_checkpoint(TRUNCATE)');
}
