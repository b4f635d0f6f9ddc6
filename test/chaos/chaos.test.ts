import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { faketimeEnv, monotonicMs } from '../helpers/faketime';
import { root, runJobsCli, spawnProcess, waitFor, type Spawned } from '../helpers/processes';
import { seededRandom, seedFromEnv } from '../helpers/seeded-random';
import { firstMomentIn, peakInWindow, peakOverlap, type Interval } from '../helpers/timeline';
import { ChaosJob } from './fixtures/chaos-job';
import type { TraceEvent } from './fixtures/trace';
import { DemoJob } from '@/jobs/demo';
import { setQueueRateLimit } from '@/lib/jobs';
import { cancelJob, retryJobs } from '@/store/admin';
import { deleteFinishedJobs } from '@/store/cleanup';
import { isJobsError } from '@/core/errors';
import type { Engine } from '@/db/engine';

// A bounded, seeded soak: real worker processes on one SQLite file through a
// few thousand jobs while the test freezes (SIGSTOP past the lease), kills and
// restarts workers, holds the write lock past the busy timeout, cancels,
// retries and cleans up, beside a worker with a smaller registry and one with
// a skewed wall clock. The first test runs it; every other test checks one
// property on what it left, from outside (SQL on the file, and the traces the
// worker processes wrote of when each attempt really executed).
//
// CHAOS_SEED=n reproduces the random choices (the plan of jobs and the chaos
// schedule; timing still differs from run to run). CHAOS_JOBS=n changes the size;
// CHAOS_KEEP=<folder> keeps the database file and the traces there.

const seed = seedFromEnv('CHAOS_SEED');
const random = seededRandom(seed);
const jobCount = Number(process.env.CHAOS_JOBS ?? 3_000);

const leaseMs = 2_500; // > the busy timeout; every SIGSTOP lasts longer than a lease plus a reap interval
const busyTimeoutMs = 800;
const skew = { spec: '+5s', ms: 5_000 }; // the skewed worker's wall clock (and SQLite's, in that process), ahead of the host's
const queues = ['c-a', 'c-b', 'c-c'];
const rateQueue = 'c-rate'; // never served by the skewed worker: rate windows are decided with the database's clock
const rate = { max: 6, windowMs: 500 };
const keyLimits: Record<string, number> = { 'c-k1': 1, 'c-k2': 2, 'c-k3': 3 };
const waveSize = 200;
const waveGapMs = 3_500;
const cleanupAgeMs = 15_000; // only jobs finished at least this long (15-35 s) before a cleanup may be deleted by it
const terminal = new Set(['completed', 'failed', 'cancelled']);
const shown = 12;
const traceToWallToleranceMs = 2;

const db = useTempDatabase({ JOBS_BUSY_TIMEOUT_MS: String(busyTimeoutMs) });
const traceDir = path.join(db.dir, 'trace');
const fixture = path.join(root, 'test/chaos/fixtures/worker.ts');

type Role = 'full' | 'small' | 'skewed';
interface WorkerProc {
  n: number;
  role: Role;
  proc: Spawned;
  pid: number;
  endedBy?: 'kill' | 'term';
  exitedAt?: number; // monotonic ms
  exitCode?: number | null;
  exitSignal?: string | null;
  frozenSince?: number;
}
interface Period {
  from: number;
  to: number;
}
interface CancelRecord {
  id: string;
  answer: 'cancelled' | 'cancelling';
  via: 'store' | 'cli';
  context: string;
  attemptsBefore: number;
  attemptsAfter: number;
  /** Closed when the job was put back by a retry after it had ended cancelled: the cancel was honoured. */
  open: boolean;
}
interface AttemptFact {
  attempt: number;
  /** When the attempt's job logged 'starting' (on its worker's clock): after its claim, unlike started_at. */
  starting_at: number | null;
  worker_id: string | null;
  started_at: number;
  finished_at: number;
  outcome: string;
  error: string | null;
}
interface JobFacts {
  id: string;
  name: string;
  queue: string;
  state: string;
  attempts: number;
  max_attempts: number;
  result: string | null;
  error: string | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  completed_at: number | null;
  rows: AttemptFact[];
  progressAttempts: number[];
  /** Read just before a cleanup deleted it (its end state was final then). */
  fromCleanupSnapshot: boolean;
}
interface Execution {
  job: string;
  attempt: number;
  name: string;
  pid: number;
  start: number;
  end: number;
  /** Until its process froze or the database was locked from outside, whichever came first: the part no correct lease may overlap. */
  accountableEnd: number;
}

/** What the soak left for the property tests. */
interface Soak {
  facts: Map<string, JobFacts>;
  missing: string[];
  unacknowledged: string[];
  cancels: CancelRecord[];
  overBudgetAtRetry: string[];
  executions: Execution[];
  workers: WorkerProc[];
  workerIds: Map<string, { pid: number; role: Role; registry: string }>;
  reaperOf: Map<string, number>;
  skewOfPid: (pid: number) => number;
  /** Host wall-clock ms minus monotonic ms. */
  offset: number;
  unexpectedExits: string[];
  badStops: string[];
  t0: number;
  wall0: number;
  drained: boolean;
  stuck: string[];
  counters: Record<string, number>;
  clocks: { pid: number; role: Role; wallSkew: number; sqliteSkew: number }[];
}

let soak: Soak | undefined;
const needSoak = (): Soak => {
  if (!soak) throw new Error('the soak did not get far enough to leave data (see the first test)');
  return soak;
};

/** Asserts an empty list of violations; the message says how many and what. */
function expectNone(violations: string[], what: string): void {
  const more = violations.length > shown ? ` (first ${shown} shown)` : '';
  expect(violations.slice(0, shown), `${violations.length} ${what}${more}; seed ${seed} (CHAOS_SEED=${seed})`).toEqual([]);
}

const isBusy = (error: unknown) => isJobsError(error) && error.code === 'database_busy';

/** Jobs with their attempt rows and the attempt numbers their progress rows were written under. */
async function readFacts(engine: Engine, ids?: string[]): Promise<Map<string, JobFacts>> {
  const where = (column: string) => (ids ? `WHERE ${column} IN (SELECT value FROM json_each(?))` : '');
  const args = ids ? [JSON.stringify(ids)] : [];
  const jobs = await engine.all<Omit<JobFacts, 'rows' | 'progressAttempts' | 'fromCleanupSnapshot'>>(
    `SELECT id, name, queue, state, attempts, max_attempts, result, error, concurrency_key, concurrency_limit, completed_at FROM jobs ${where('id')}`,
    args,
  );
  const attempts = await engine.all<AttemptFact & { job_id: string }>(
    `SELECT job_id, attempt, worker_id, started_at, finished_at, outcome, error,
       (SELECT json_extract(l.value, '$.at') FROM json_each(CASE WHEN json_valid(logs) THEN logs ELSE '[]' END) l
        WHERE json_extract(l.value, '$.message') = 'starting' LIMIT 1) AS starting_at
     FROM job_attempts ${where('job_id')} ORDER BY job_id, attempt`,
    args,
  );
  const progress = await engine.all<{ job_id: string; attempt: number }>(
    `SELECT DISTINCT job_id, attempt FROM job_progress ${where('job_id')}`,
    args,
  );
  const facts = new Map<string, JobFacts>();
  for (const j of jobs) {
    facts.set(j.id, {
      ...j, attempts: Number(j.attempts), max_attempts: Number(j.max_attempts),
      concurrency_limit: j.concurrency_limit == null ? null : Number(j.concurrency_limit),
      completed_at: j.completed_at == null ? null : Number(j.completed_at),
      rows: [], progressAttempts: [], fromCleanupSnapshot: false,
    });
  }
  for (const a of attempts) {
    facts.get(a.job_id)?.rows.push({
      attempt: Number(a.attempt), starting_at: a.starting_at == null ? null : Number(a.starting_at), worker_id: a.worker_id, started_at: Number(a.started_at), finished_at: Number(a.finished_at), outcome: a.outcome, error: a.error,
    });
  }
  for (const p of progress) facts.get(p.job_id)?.progressAttempts.push(Number(p.attempt));
  return facts;
}

async function runSoak(): Promise<void> {
  const engine = await db.engine();
  const t0 = monotonicMs();
  const wall0 = Date.now();
  const rel = (t: number) => `${((t - t0) / 1000).toFixed(2)}s`;
  const counters: Record<string, number> = {
    enqueued: 0, enqueueRefusedBusy: 0, spawned: 0, sigstops: 0, kills: 0, restarts: 0, lockHolds: 0, lockHoldsPastLease: 0,
    cancelAckCancelled: 0, cancelAckCancelling: 0, cancelRefused: 0, cancelBusy: 0, cancelsViaCli: 0, cancelsBeforeKill: 0, cancelsBeforeStop: 0,
    retried: 0, retryBusy: 0, cancelsHonouredThenRetried: 0, cleanups: 0, cleanedJobs: 0, cleanupBusy: 0,
  };
  fs.mkdirSync(traceDir, { recursive: true });
  const skewEnv = faketimeEnv(skew.spec);
  if (!skewEnv) throw new Error('Debian\'s faketime is not installed: apt-get install -y faketime (the chaos suite runs one worker with a skewed wall clock)');

  await setQueueRateLimit(rateQueue, { max: rate.max, duration: rate.windowMs });

  // The plan of jobs, from its own random stream.
  const planRandom = random.fork('plan');
  const plan = Array.from({ length: jobCount }, () => {
    const chaos = planRandom.chance(0.35);
    const long = planRandom.chance(0.2); // about half a second: caught mid-run by stops, kills and shutdowns
    const failTimes = planRandom.pick([0, 0, 0, 1, 2, 2, 3]); // many run a last attempt that a shutdown may interrupt
    const key = planRandom.chance(0.2) ? planRandom.pick(Object.keys(keyLimits)) : undefined;
    const params = chaos
      ? { steps: long ? 5 : planRandom.between(0, 3), maxSleepMs: long ? 200 : planRandom.between(0, 12), failTimes }
      : { steps: long ? 5 : planRandom.between(0, 3), delayMs: long ? 100 : planRandom.between(0, 12), failTimes };
    const options = {
      queue: planRandom.chance(0.1) ? rateQueue : planRandom.pick(queues),
      priority: planRandom.between(-10, 10),
      delay: planRandom.pick([0, 0, 0, 0, 100, 400]),
      maxAttempts: 3,
      ...(key ? { concurrencyKey: key, concurrencyLimit: keyLimits[key] } : {}),
    };
    return { chaos, params, options, many: planRandom.chance(0.25) };
  });

  // ---- workers ----
  const workers: WorkerProc[] = [];
  let phase: 'chaos' | 'draining' | 'stopping' = 'chaos';
  const unexpectedExits: string[] = [];
  const badStops: string[] = [];
  let lockHeld: Promise<unknown> = Promise.resolve();
  const lockWindows: Period[] = [];
  const frozen = new Map<number, Period[]>();
  const background: Promise<unknown>[] = [];
  const backgroundErrors: unknown[] = [];
  const inBackground = (p: Promise<unknown>) => background.push(p.catch((e) => backgroundErrors.push(e)));

  const workerEnv = (role: Role): Record<string, string> => ({
    DATABASE_URL: db.url,
    JOBS_DATABASE_URL: db.url, // read first where it exists, so an inherited one cannot point the workers elsewhere
    JOBS_LEASE_MS: String(leaseMs),
    JOBS_BUSY_TIMEOUT_MS: String(busyTimeoutMs),
    JOBS_POLL_INTERVAL_MS: '200',
    JOBS_CONCURRENCY: '4',
    JOBS_SHUTDOWN_GRACE_MS: '100', // short, so a graceful restart interrupts the longer jobs
    CHAOS_TRACE_DIR: traceDir,
    CHAOS_REGISTRY: role === 'small' ? 'small' : 'full',
    ...(role === 'skewed' ? { JOBS_QUEUES: queues.join(','), ...skewEnv } : {}),
  });
  const spawnRole = (role: Role): WorkerProc => {
    const proc = spawnProcess([fixture], workerEnv(role));
    const w: WorkerProc = { n: workers.length + 1, role, proc, pid: proc.child.pid! };
    workers.push(w);
    counters.spawned += 1;
    void proc.exited.then((code) => {
      w.exitedAt = monotonicMs();
      w.exitCode = code;
      w.exitSignal = proc.child.signalCode;
      if (w.frozenSince !== undefined) endFreeze(w);
      if (!w.endedBy) {
        unexpectedExits.push(`${label(w)} exited by itself (code ${code}, signal ${proc.child.signalCode}) at ${rel(w.exitedAt)}:\n${proc.output().slice(-1_500)}`);
        if (phase !== 'stopping') inBackground(replace(w.role));
      }
    });
    return w;
  };
  const label = (w: WorkerProc) => `${w.role} worker #${w.n} (pid ${w.pid})`;
  const live = () => workers.filter((w) => w.exitedAt === undefined && !w.endedBy);
  const started = (w: WorkerProc) => w.proc.output().includes('chaos-worker {');
  const idOf = (w: WorkerProc) => /chaos-worker (\{.*\})/.exec(w.proc.output())?.[1] && (JSON.parse(/chaos-worker (\{.*\})/.exec(w.proc.output())![1]) as { id: string }).id;
  // A replacement starts once no lock is held from outside: its start-up writes (migrations, registration) would fail.
  const replace = async (role: Role) => {
    await lockHeld;
    return spawnRole(role);
  };
  const endFreeze = (w: WorkerProc) => {
    const list = frozen.get(w.pid) ?? [];
    list.push({ from: w.frozenSince!, to: monotonicMs() });
    frozen.set(w.pid, list);
    w.frozenSince = undefined;
  };
  const waitStarted = async (list: WorkerProc[]) => {
    await Promise.all(list.map((w) => w.proc.waitForOutput('chaos-worker {', 60_000).catch(() => {})));
  };

  for (const role of ['full', 'full', 'small', 'skewed'] as Role[]) spawnRole(role);
  await Promise.all(workers.map((w) => w.proc.waitForOutput('chaos-worker {', 60_000)));

  // ---- cancels ----
  const cancels: CancelRecord[] = [];
  const attemptsOf = async (id: string) => Number((await engine.all<{ attempts: number }>(`SELECT attempts FROM jobs WHERE id = ?`, [id]))[0]?.attempts ?? -1);
  const cancelOne = async (id: string, attemptsBefore: number, context: string, via: 'store' | 'cli') => {
    let answer: 'cancelled' | 'cancelling';
    if (via === 'cli') {
      counters.cancelsViaCli += 1;
      const out = await runJobsCli(['cancel', id, '--json'], { DATABASE_URL: db.url, JOBS_DATABASE_URL: db.url, JOBS_BUSY_TIMEOUT_MS: String(busyTimeoutMs) });
      if (out.code !== 0) {
        if (/locked/i.test(out.stderr + out.stdout)) counters.cancelBusy += 1;
        else counters.cancelRefused += 1;
        return;
      }
      answer = (JSON.parse(out.stdout.trim().split('\n').pop()!) as { result: 'cancelled' | 'cancelling' }).result;
    } else {
      try {
        answer = await cancelJob(engine, id, Date.now());
      } catch (error) {
        if (isBusy(error)) counters.cancelBusy += 1;
        else if (isJobsError(error) && (error.code === 'conflict' || error.code === 'not_found')) counters.cancelRefused += 1;
        else throw error;
        return;
      }
    }
    counters[answer === 'cancelled' ? 'cancelAckCancelled' : 'cancelAckCancelling'] += 1;
    cancels.push({ id, answer, via, context, attemptsBefore, attemptsAfter: await attemptsOf(id), open: true });
  };
  /** Cancels up to `n` running jobs of one worker, through the store (no doorbell: its worker hears of it at its next heartbeat). */
  const cancelRunningOf = async (w: WorkerProc, n: number, context: string) => {
    const id = idOf(w);
    if (!id) return 0;
    const running = await engine.all<{ id: string; attempts: number }>(`SELECT id, attempts FROM jobs WHERE state = 'running' AND locked_by = ? ORDER BY id`, [id]);
    const targets = chaosRandom.shuffle(running).slice(0, n);
    for (const t of targets) await cancelOne(t.id, Number(t.attempts), context, 'store');
    return targets.length;
  };

  // ---- the chaos actions ----
  const chaosRandom = random.fork('chaos');
  const retriedTimes = new Map<string, number>();
  const overBudgetAtRetry: string[] = [];
  const mayBeGone = new Set<string>();
  const goneFacts = new Map<string, JobFacts>();

  /** A random one of the workers, among those running jobs right now if any are. */
  const pickVictim = async (candidates: WorkerProc[]): Promise<WorkerProc | undefined> => {
    if (!candidates.length) return undefined;
    const busyIds = new Set((await engine.all<{ locked_by: string }>(`SELECT DISTINCT locked_by FROM jobs WHERE state = 'running'`)).map((r) => r.locked_by));
    const holding = candidates.filter((w) => busyIds.has(idOf(w) ?? ''));
    return chaosRandom.pick(holding.length ? holding : candidates);
  };

  const actions: Record<string, () => Promise<void>> = {
    async stop() {
      for (const w of workers) if (w.frozenSince !== undefined) return; // one frozen worker at a time
      const victim = await pickVictim(live().filter(started));
      if (!victim) return;
      if (chaosRandom.chance(0.4)) counters.cancelsBeforeStop += await cancelRunningOf(victim, 2, `just before ${label(victim)} was frozen`);
      const forMs = Math.round(leaseMs * 1.5 + 500 + chaosRandom.int(1_500));
      victim.frozenSince = monotonicMs();
      victim.proc.child.kill('SIGSTOP');
      counters.sigstops += 1;
      inBackground((async () => {
        await sleep(forMs);
        if (victim.frozenSince === undefined) return; // killed meanwhile
        victim.proc.child.kill('SIGCONT');
        endFreeze(victim);
      })());
    },
    async kill() {
      const victim = await pickVictim(live());
      if (!victim) return;
      if (started(victim) && chaosRandom.chance(0.75)) counters.cancelsBeforeKill += await cancelRunningOf(victim, 2, `just before ${label(victim)} was killed`);
      victim.endedBy = 'kill';
      victim.proc.child.kill('SIGKILL');
      counters.kills += 1;
      await victim.proc.exited;
      inBackground(replace(victim.role));
    },
    async restart() {
      const victim = await pickVictim(live().filter((w) => started(w) && w.frozenSince === undefined));
      if (!victim) return;
      victim.endedBy = 'term';
      victim.proc.child.kill('SIGTERM');
      counters.restarts += 1;
      inBackground((async () => {
        const code = await Promise.race([victim.proc.exited, sleep(30_000).then(() => 'timeout' as const)]);
        if (code === 'timeout') {
          badStops.push(`${label(victim)} did not stop within 30 s of SIGTERM:\n${victim.proc.output().slice(-1_500)}`);
          victim.proc.child.kill('SIGKILL');
        } else if (code !== 0) badStops.push(`${label(victim)} exited with code ${code} after SIGTERM:\n${victim.proc.output().slice(-1_500)}`);
        await replace(victim.role);
      })());
    },
    async lock() {
      await lockHeld;
      await waitStarted(live()); // a worker still starting would fail its start-up writes
      const holdMs = chaosRandom.pick([1_200, 1_800, 3_200, 3_200]);
      const from = monotonicMs();
      const holder = spawnProcess([path.join(root, 'test/helpers/hold-write-lock.mjs'), db.file, String(holdMs), '1', '0']);
      counters.lockHolds += 1;
      if (holdMs > leaseMs) counters.lockHoldsPastLease += 1;
      lockHeld = holder.exited.then(() => lockWindows.push({ from, to: monotonicMs() }));
      await holder.waitForOutput('locked', 30_000);
    },
    async cancel() {
      const running = await engine.all<{ id: string; attempts: number }>(`SELECT id, attempts FROM jobs WHERE state = 'running' ORDER BY id`);
      const pending = await engine.all<{ id: string; attempts: number }>(`SELECT id, attempts FROM jobs WHERE state = 'pending' ORDER BY id`);
      const targets = [
        ...chaosRandom.shuffle(running).slice(0, chaosRandom.between(1, 3)).map((t) => ({ ...t, context: 'while it ran' })),
        ...chaosRandom.shuffle(pending).slice(0, chaosRandom.between(1, 2)).map((t) => ({ ...t, context: 'while it was pending' })),
      ];
      for (const t of targets) {
        if (counters.cancelsViaCli < 4 && chaosRandom.chance(0.2)) inBackground(cancelOne(t.id, Number(t.attempts), `${t.context}, by bin/jobs cancel`, 'cli'));
        else await cancelOne(t.id, Number(t.attempts), t.context, 'store');
      }
    },
    async retry() {
      const openCancel = new Set(cancels.filter((c) => c.open).map((c) => c.id));
      const ended = await engine.all<{ id: string; state: string; attempts: number; max_attempts: number }>(
        `SELECT id, state, attempts, max_attempts FROM jobs WHERE state IN ('failed', 'cancelled') ORDER BY id`,
      );
      // A failed job with an acknowledged cancel is left failed: that is a finding, not something to retry away.
      const candidates = ended.filter((j) => (retriedTimes.get(j.id) ?? 0) < 2 && !(j.state === 'failed' && openCancel.has(j.id)));
      const picked = chaosRandom.shuffle(candidates).slice(0, chaosRandom.between(5, 25));
      if (!picked.length) return;
      // A retry raises max_attempts: an overrun must be seen before it.
      for (const j of picked) {
        if (Number(j.attempts) > Number(j.max_attempts)) overBudgetAtRetry.push(`${j.id}: ${j.state} after ${j.attempts} attempts of at most ${j.max_attempts} (seen before a retry)`);
      }
      let back: string[];
      try {
        back = await retryJobs(engine, picked.map((j) => j.id), Date.now());
      } catch (error) {
        if (!isBusy(error)) throw error;
        counters.retryBusy += 1;
        return;
      }
      const stateOf = new Map(picked.map((j) => [j.id, j.state]));
      for (const id of back) {
        retriedTimes.set(id, (retriedTimes.get(id) ?? 0) + 1);
        counters.retried += 1;
        if (stateOf.get(id) === 'cancelled') {
          for (const c of cancels) if (c.id === id && c.open) { c.open = false; counters.cancelsHonouredThenRetried += 1; }
        }
      }
    },
    async cleanup() {
      const states = chaosRandom.shuffle(['completed', 'failed', 'cancelled'] as const).slice(0, chaosRandom.between(1, 2));
      const mark = Date.now() - cleanupAgeMs - chaosRandom.int(20_000);
      // Exactly the jobs the delete may take: finished, in those states, before the mark. Their end is final,
      // so what is read now is what they ended as; the test keeps it for the checks.
      const eligible = (await engine.all<{ id: string }>(
        `SELECT id FROM jobs WHERE state IN (SELECT value FROM json_each(?)) AND completed_at < ?`, [JSON.stringify(states), mark],
      )).map((r) => r.id);
      const before = await readFacts(engine, eligible);
      for (const id of eligible) mayBeGone.add(id);
      counters.cleanups += 1;
      try {
        await deleteFinishedJobs(engine, [...states], mark);
      } catch (error) {
        if (!isBusy(error)) throw error;
        counters.cleanupBusy += 1;
      }
      const still = new Set((await engine.all<{ id: string }>(`SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(eligible)])).map((r) => r.id));
      for (const id of eligible) {
        if (still.has(id) || !before.has(id)) continue;
        goneFacts.set(id, { ...before.get(id)!, fromCleanupSnapshot: true });
        counters.cleanedJobs += 1;
      }
    },
  };

  // ---- enqueue, in waves, while the chaos runs ----
  const acknowledged: string[] = [];
  const enqueueAll = async () => {
    for (let first = 0; first < plan.length; first += waveSize) {
      for (const p of plan.slice(first, first + waveSize)) {
        for (let tries = 0; ; tries++) {
          try {
            const cls = p.chaos ? ChaosJob : DemoJob;
            const ids = p.many
              ? await (cls as typeof DemoJob).laterMany([p.params as never], p.options)
              : [await (cls as typeof DemoJob).later(p.params as never, p.options)];
            acknowledged.push(...ids);
            counters.enqueued += ids.length;
            break;
          } catch (error) {
            if (!isBusy(error) || tries > 100) throw error;
            counters.enqueueRefusedBusy += 1; // nothing was written: enqueue it again
            await sleep(200);
          }
        }
      }
      await sleep(waveGapMs);
    }
  };
  const deck = chaosRandom.shuffle([
    ...Array<string>(8).fill('stop'), ...Array<string>(8).fill('kill'), ...Array<string>(8).fill('restart'),
    ...Array<string>(6).fill('lock'), ...Array<string>(14).fill('cancel'), ...Array<string>(5).fill('retry'), ...Array<string>(4).fill('cleanup'),
  ]);
  const chaosAll = async () => {
    for (const action of deck) {
      await sleep(chaosRandom.between(700, 1_900));
      await actions[action]();
    }
  };

  let drained = false;
  let stuck: string[] = [];
  try {
    await Promise.all([enqueueAll(), chaosAll()]);
    // Chaos over: the frozen worker wakes, the lock is released, the restarts and CLI cancels end.
    await Promise.all(background);
    await lockHeld;
    await Promise.all(background);
    // A last retry (and a cleanup if none deleted anything yet), then let the workers drain.
    await actions.retry();
    if (counters.cleanedJobs === 0) await actions.cleanup();
    phase = 'draining';
    const unfinished = async () => engine.all<{ id: string; state: string; queue: string; name: string; attempts: number }>(
      `SELECT id, state, queue, name, attempts FROM jobs WHERE state NOT IN ('completed', 'failed', 'cancelled')`,
    );
    try {
      await waitFor(async () => (await unfinished()).length === 0, 'every job to end after the chaos', 100_000, 500);
      drained = true;
    } catch {
      stuck = (await unfinished()).map((j) => `${j.id} (${j.name}, ${j.queue}) still ${j.state} after ${j.attempts} attempts`);
    }
  } finally {
    // Stop every worker gracefully (waking a frozen one first), whatever happened above.
    phase = 'stopping';
    await Promise.all(background);
    await lockHeld;
    const remaining = live();
    await waitStarted(remaining); // a worker still starting has no SIGTERM handler yet
    await Promise.all(remaining.map(async (w) => {
      if (w.frozenSince !== undefined) {
        w.proc.child.kill('SIGCONT');
        endFreeze(w);
      }
      w.endedBy = 'term';
      w.proc.child.kill('SIGTERM');
      const code = await Promise.race([w.proc.exited, sleep(30_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') {
        badStops.push(`${label(w)} did not stop within 30 s of SIGTERM:\n${w.proc.output().slice(-1_500)}`);
        w.proc.child.kill('SIGKILL');
        await w.proc.exited;
      } else if (code !== 0) badStops.push(`${label(w)} exited with code ${code} after SIGTERM:\n${w.proc.output().slice(-1_500)}`);
    }));
    await sleep(10); // let the exit handlers above record exit times
    // CHAOS_KEEP=<folder>: keep the database and the traces there, to look into a failure.
    if (process.env.CHAOS_KEEP) fs.cpSync(db.dir, process.env.CHAOS_KEEP, { recursive: true });
  }
  if (backgroundErrors.length) throw backgroundErrors[0];

  // ---- what the soak left ----
  const final = await readFacts(engine);
  const facts = new Map<string, JobFacts>(final);
  for (const [id, f] of goneFacts) if (!facts.has(id)) facts.set(id, f);
  const ackSet = new Set(acknowledged);
  const missing = acknowledged.filter((id) => !facts.has(id)).map((id) =>
    `${id}: acknowledged by its enqueue, gone from the database${mayBeGone.has(id) ? ' (eligible for a cleanup, yet not seen gone by it)' : ', and never finished before any cleanup\'s mark'}`);
  const unacknowledged = [...final.keys()].filter((id) => !ackSet.has(id)).map((id) => `${id}: stored, but no enqueue acknowledged it`);

  // Traces: worker identities, clocks, reaps and executions.
  const events: TraceEvent[] = [];
  for (const file of fs.readdirSync(traceDir)) {
    for (const line of fs.readFileSync(path.join(traceDir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line) as TraceEvent);
      } catch {
        // the last line of a process killed in mid-write
      }
    }
  }
  const byPid = new Map(workers.map((w) => [w.pid, w]));
  const roleOf = (pid: number) => byPid.get(pid)?.role ?? 'full';
  const skewOfPid = (pid: number) => (roleOf(pid) === 'skewed' ? skew.ms : 0);
  const workerIds = new Map<string, { pid: number; role: Role; registry: string }>();
  const reaperOf = new Map<string, number>();
  const offset = Date.now() - monotonicMs(); // this process's wall clock minus the shared monotonic one
  const clocks: Soak['clocks'] = [];
  const open = new Map<string, { start: number; name: string }>();
  const executions: Execution[] = [];
  const locksAndFreezes = (pid: number) => [...lockWindows, ...(frozen.get(pid) ?? [])];
  const addExecution = (job: string, attempt: number, name: string, pid: number, start: number, end: number) =>
    executions.push({ job, attempt, name, pid, start, end, accountableEnd: Math.min(end, firstMomentIn(start, locksAndFreezes(pid))) });
  for (const e of events) {
    if (e.e === 'worker') workerIds.set(e.id, { pid: e.pid, role: roleOf(e.pid), registry: e.registry });
    else if (e.e === 'clock') clocks.push({ pid: e.pid, role: roleOf(e.pid), wallSkew: e.wall - (e.t + offset), sqliteSkew: e.sqlite - (e.t + offset) });
    else if (e.e === 'reaped') reaperOf.set(`${e.job}#${e.attempts}`, e.pid);
    else if (e.e === 'start') open.set(`${e.pid}/${e.job}#${e.attempt}`, { start: e.t, name: e.name });
    else if (e.e === 'end') {
      const key = `${e.pid}/${e.job}#${e.attempt}`;
      const began = open.get(key);
      if (began) addExecution(e.job, e.attempt, e.name, e.pid, began.start, e.t);
      open.delete(key);
    }
  }
  for (const [key, began] of open) {
    // Never ended: its process died (kill -9) in the middle of it.
    const [, pid, job, attempt] = /^(\d+)\/(.+)#(\d+)$/.exec(key)!;
    addExecution(job, Number(attempt), began.name, Number(pid), began.start, byPid.get(Number(pid))?.exitedAt ?? Number.POSITIVE_INFINITY);
  }

  soak = {
    facts, missing, unacknowledged, cancels, overBudgetAtRetry, executions, workers, workerIds, reaperOf, skewOfPid, offset,
    unexpectedExits, badStops, t0, wall0, drained, stuck, counters, clocks,
  };
  const outcomes = new Map<string, number>();
  for (const f of facts.values()) for (const r of f.rows) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  console.log(
    `chaos seed ${seed} (CHAOS_SEED=${seed} reproduces the choices): ${jobCount} jobs, ${((monotonicMs() - t0) / 1000).toFixed(1)} s\n` +
    `  ${Object.entries(counters).map(([k, v]) => `${k} ${v}`).join(', ')}\n` +
    `  clocks: ${clocks.map((c) => `${c.role} pid ${c.pid} wall ${c.wallSkew >= 0 ? '+' : ''}${Math.round(c.wallSkew)} ms, sqlite ${c.sqliteSkew >= 0 ? '+' : ''}${Math.round(c.sqliteSkew)} ms`).join('; ')}\n` +
    `  attempts by outcome: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
    `lock windows ${lockWindows.length}, freezes ${[...frozen.values()].flat().length}, executions traced ${executions.length}, drained ${drained}`,
  );
}

/** A completed attempt's result, parsed. */
const resultAttempt = (f: JobFacts): number | undefined => {
  try {
    return (JSON.parse(f.result ?? 'null') as { attempt?: number } | null)?.attempt;
  } catch {
    return undefined;
  }
};
const where = (f: JobFacts) => `${f.id} (${f.name}, ${f.queue}${f.concurrency_key ? `, key ${f.concurrency_key}` : ''}${f.fromCleanupSnapshot ? ', as read before a cleanup deleted it' : ''})`;

describe(`chaos soak (seed ${seed})`, () => {
  it('runs to the end: workers frozen past their lease, killed and restarted, the write lock held from outside, cancels, retries and cleanups, beside a smaller-registry worker and a skewed-clock worker; then every job drains', async () => {
    await runSoak();
    const s = needSoak();
    // The chaos was real.
    const skewed = s.clocks.filter((c) => c.role === 'skewed');
    expect(skewed.length, 'the skewed worker reported its clocks').toBeGreaterThan(0);
    for (const c of skewed) {
      expect(Math.abs(c.wallSkew - skew.ms), `faketime shifts Date.now() by ${skew.spec} in the skewed worker (measured ${Math.round(c.wallSkew)} ms)`).toBeLessThan(1_000);
      expect(Math.abs(c.sqliteSkew - skew.ms), `faketime shifts SQLite's clock by ${skew.spec} in that process (measured ${Math.round(c.sqliteSkew)} ms)`).toBeLessThan(1_000);
    }
    for (const c of s.clocks.filter((c) => c.role !== 'skewed')) expect(Math.abs(c.wallSkew), `an unskewed worker's clock (pid ${c.pid})`).toBeLessThan(1_000);
    const c = s.counters;
    expect({ sigstops: c.sigstops > 0, kills: c.kills > 0, restarts: c.restarts > 0, lockHoldsPastLease: c.lockHoldsPastLease > 0 }).toEqual({ sigstops: true, kills: true, restarts: true, lockHoldsPastLease: true });
    expect({ cancelsOfRunning: c.cancelAckCancelling > 0, cancelsOfPending: c.cancelAckCancelled > 0, retried: c.retried > 0, cleaned: c.cleanedJobs > 0 })
      .toEqual({ cancelsOfRunning: true, cancelsOfPending: true, retried: true, cleaned: true });
    const busyLines = s.workers.filter((w) => /locked by another process|SQLITE_BUSY|database is locked/i.test(w.proc.output())).length;
    expect(busyLines, 'workers met busy errors while the lock was held').toBeGreaterThan(0);
    expect(s.counters.enqueued).toBe(jobCount);
    expectNone(s.stuck, 'jobs never ended: the workers did not drain within 100 s after the chaos');
  }, 290_000);

  it('every acknowledged job is stored unless a cleanup legitimately deleted it, and nothing else is (no pending or running job is ever deleted)', () => {
    const s = needSoak();
    expectNone([...s.missing, ...s.unacknowledged], 'jobs missing or unaccounted for');
  });

  it('every job ends in exactly one terminal state: completed, failed or cancelled', () => {
    const s = needSoak();
    const violations: string[] = [];
    for (const f of s.facts.values()) {
      const completedRows = f.rows.filter((r) => r.outcome === 'completed');
      if (!terminal.has(f.state)) violations.push(`${where(f)} is ${f.state} after ${f.attempts} attempts`);
      else if (f.state !== 'completed' && completedRows.length) violations.push(`${where(f)} is ${f.state} though attempt ${completedRows.map((r) => r.attempt).join(', ')} completed`);
    }
    expectNone(violations, 'jobs not in exactly one terminal state');
  });

  it('every completed job has exactly one completed attempt, and its stored result is that attempt\'s', () => {
    const s = needSoak();
    const violations: string[] = [];
    for (const f of s.facts.values()) {
      if (f.state !== 'completed') continue;
      const completedRows = f.rows.filter((r) => r.outcome === 'completed');
      if (completedRows.length !== 1) {
        violations.push(`${where(f)} has ${completedRows.length} completed attempt rows (${f.rows.map((r) => `#${r.attempt} ${r.outcome}`).join(', ')})`);
        continue;
      }
      const row = completedRows[0];
      const stored = resultAttempt(f);
      if (stored !== row.attempt) {
        violations.push(`${where(f)}: the completed attempt row is #${row.attempt} (worker ${row.worker_id}), the stored result is attempt ${stored}'s; rows ${f.rows.map((r) => `#${r.attempt} ${r.outcome}`).join(', ')}`);
      }
    }
    expectNone(violations, 'completed jobs with no single completed attempt or with another attempt\'s result');
  });

  it('no attempt of a job starts after its completed attempt', () => {
    const s = needSoak();
    const violations: string[] = [];
    for (const f of s.facts.values()) {
      const done = f.rows.find((r) => r.outcome === 'completed');
      if (!done) continue;
      const later = f.rows.filter((r) => r.attempt > done.attempt);
      if (later.length) violations.push(`${where(f)}: attempt #${done.attempt} completed, then ${later.map((r) => `#${r.attempt} ${r.outcome} (worker ${r.worker_id})`).join(', ')}`);
    }
    expectNone(violations, 'jobs with attempts after their completed one');
  });

  it('no job gets more attempts than max_attempts (an attempt interrupted by a graceful shutdown eats no budget)', () => {
    const s = needSoak();
    const violations = [...s.overBudgetAtRetry];
    for (const f of s.facts.values()) {
      const counted = f.rows.filter((r) => r.outcome !== 'interrupted').length;
      if (f.attempts > f.max_attempts || counted > f.max_attempts) {
        violations.push(`${where(f)} is ${f.state} after attempts = ${f.attempts} of max_attempts ${f.max_attempts}: ${f.rows.map((r) => `#${r.attempt} ${r.outcome}`).join(', ')}`);
      }
    }
    expectNone(violations, 'jobs over their attempt budget');
  });

  it('every acknowledged cancel ends the job cancelled, unless the attempt running when it was acknowledged completed it', () => {
    const s = needSoak();
    expect(s.cancels.length, 'acknowledged cancels').toBeGreaterThan(0);
    const violations: string[] = [];
    for (const c of s.cancels) {
      if (!c.open) continue; // it ended cancelled, then a retry put it back
      const f = s.facts.get(c.id);
      if (!f) continue; // reported as missing
      if (f.state === 'cancelled') continue;
      const done = f.rows.find((r) => r.outcome === 'completed');
      if (c.answer === 'cancelling' && f.state === 'completed' && done && done.attempt <= c.attemptsAfter) continue;
      violations.push(
        `${where(f)}: cancel answered '${c.answer}' (${c.via}, ${c.context}, attempt ${c.attemptsBefore}${c.attemptsAfter !== c.attemptsBefore ? `..${c.attemptsAfter}` : ''}), ` +
        `ended ${f.state}${done ? ` by attempt #${done.attempt}` : ''}; rows ${f.rows.map((r) => `#${r.attempt} ${r.outcome}`).join(', ')}`,
      );
    }
    expectNone(violations, `acknowledged cancels lost (of ${s.cancels.length})`);
  });

  it('progress is stored only under the number of an attempt that really ran', () => {
    const s = needSoak();
    const violations: string[] = [];
    for (const f of s.facts.values()) {
      if (!terminal.has(f.state)) continue; // a running attempt has no row yet; reported as not ended
      const ran = new Set(f.rows.map((r) => r.attempt));
      const strays = f.progressAttempts.filter((a) => !ran.has(a));
      if (strays.length) violations.push(`${where(f)}: progress under attempt ${strays.join(', ')}, attempt rows ${[...ran].sort().join(', ') || 'none'}`);
    }
    expectNone(violations, 'jobs with progress of attempts that never ran');
  });

  it('a worker claims only job names its registry can run: no job fails because a smaller worker lacks its class', () => {
    const s = needSoak();
    const small = new Set([...s.workerIds].filter(([, w]) => w.registry === 'small').map(([id]) => id));
    expect(small.size, 'smaller-registry workers that ran').toBeGreaterThan(0);
    const violations: string[] = [];
    for (const f of s.facts.values()) {
      for (const r of f.rows) {
        if (f.name === ChaosJob.jobName && r.worker_id && small.has(r.worker_id)) {
          violations.push(`${where(f)}: attempt #${r.attempt} claimed by the smaller-registry worker ${r.worker_id}: ${r.outcome}${r.error ? `: ${r.error}` : ''}`);
        } else if (r.error && /No job named/.test(r.error)) violations.push(`${where(f)}: attempt #${r.attempt} on ${r.worker_id}: ${r.error}`);
      }
    }
    expectNone(violations, 'attempts of a job claimed by a worker that cannot run it');
  });

  it('two attempts of one job never execute at once while the older one\'s worker is awake and can reach the database', () => {
    // From the traces of when each perform() really ran (monotonic clock). The older attempt counts until its
    // process was frozen or the database was locked from outside: after that its lease may rightly run out.
    const s = needSoak();
    const byJob = new Map<string, Execution[]>();
    for (const e of s.executions) byJob.set(e.job, [...(byJob.get(e.job) ?? []), e]);
    const who = (pid: number) => `${s.workers.find((w) => w.pid === pid)?.role ?? '?'} pid ${pid}`;
    const at = (t: number) => `${((t - s.t0) / 1000).toFixed(3)}s`;
    const violations: string[] = [];
    for (const [job, list] of byJob) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const [a, b] = [list[i], list[j]];
          if (b.start >= a.accountableEnd) continue;
          violations.push(`${job} (${a.name}): attempt ${a.attempt} on ${who(a.pid)} ran ${at(a.start)}..${at(a.end)}, awake with the database reachable, when attempt ${b.attempt} started on ${who(b.pid)} at ${at(b.start)}`);
        }
      }
    }
    expectNone(violations, 'overlapping executions of one job');
  });

  it('at most concurrencyLimit attempts of a key hold it at once, as the attempt rows recorded them (clocks corrected for the skewed worker)', () => {
    // Each attempt from when it began to run (its 'starting' log line, on its worker's clock; else, for a lost
    // attempt, which has no logs, its traced start) to its end (finished_at, on the clock of the worker that wrote
    // the row: its own, or the reaper's for a lost one). Not from started_at: a claim takes its time before it
    // waits for the write lock, so it can read earlier than the end that freed its slot.
    const s = needSoak();
    const skewOf = (workerId: string | null) => (workerId && s.workerIds.has(workerId) ? s.skewOfPid(s.workerIds.get(workerId)!.pid) : 0);
    const tracedStart = new Map<string, number>();
    for (const e of s.executions) {
      const key = `${e.job}#${e.attempt}`;
      // The trace's monotonic time turned into the wall clock the rows use: whole milliseconds on both
      // sides and an offset measured once, so up to about 2 ms off. Counted from 2 ms later, so that a
      // slot freed and granted within one millisecond does not read as two holders at once.
      tracedStart.set(key, Math.min(tracedStart.get(key) ?? Infinity, e.start + s.offset + traceToWallToleranceMs));
    }
    const byKey = new Map<string, Interval<string>[]>();
    let unknownReaper = 0;
    let neverRan = 0;
    for (const f of s.facts.values()) {
      if (!f.concurrency_key) continue;
      for (const r of f.rows) {
        let endSkew = skewOf(r.worker_id);
        if (r.outcome === 'lost') {
          const reaper = s.reaperOf.get(`${f.id}#${r.attempt}`);
          if (reaper === undefined) unknownReaper += 1;
          endSkew = reaper === undefined ? 0 : s.skewOfPid(reaper);
        }
        const start = r.starting_at != null ? r.starting_at - skewOf(r.worker_id) : tracedStart.get(`${f.id}#${r.attempt}`);
        if (start === undefined) {
          neverRan += 1; // e.g. claimed by a worker that could not run it
          continue;
        }
        const end = r.finished_at - endSkew;
        const item = `${f.id}#${r.attempt} ${r.outcome} on ${r.worker_id} ${((start - s.wall0) / 1000).toFixed(3)}s..${((end - s.wall0) / 1000).toFixed(3)}s`;
        byKey.set(f.concurrency_key, [...(byKey.get(f.concurrency_key) ?? []), { start, end, item }]);
      }
    }
    expect([...byKey.keys()].sort()).toEqual(Object.keys(keyLimits).sort());
    const violations: string[] = [];
    for (const [key, intervals] of byKey) {
      const peak = peakOverlap(intervals);
      if (peak.peak > keyLimits[key]) violations.push(`${key} (limit ${keyLimits[key]}): ${peak.peak} at once at ${((peak.at - s.wall0) / 1000).toFixed(3)}s: ${peak.open.join('; ')}`);
    }
    expectNone(violations, `keys over their limit (attempts that never ran, left out: ${neverRan}; lost attempts whose reaper was not traced: ${unknownReaper})`);
  });

  it('at most concurrencyLimit jobs of a key execute at once while their workers are awake and can reach the database', () => {
    const s = needSoak();
    const keyOf = new Map([...s.facts.values()].filter((f) => f.concurrency_key).map((f) => [f.id, f.concurrency_key!]));
    const byKey = new Map<string, Interval<string>[]>();
    for (const e of s.executions) {
      const key = keyOf.get(e.job);
      if (!key) continue;
      const role = s.workers.find((w) => w.pid === e.pid)?.role ?? '?';
      const span = `${((e.start - s.t0) / 1000).toFixed(3)}s..${((e.end - s.t0) / 1000).toFixed(3)}s${e.accountableEnd < e.end ? ` (counted to ${((e.accountableEnd - s.t0) / 1000).toFixed(3)}s)` : ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { start: e.start, end: e.accountableEnd, item: `${e.job}#${e.attempt} on ${role} pid ${e.pid} ${span}` }]);
    }
    const violations: string[] = [];
    for (const [key, intervals] of byKey) {
      const peak = peakOverlap(intervals);
      if (peak.peak > keyLimits[key]) violations.push(`${key} (limit ${keyLimits[key]}): ${peak.peak} executing at ${((peak.at - s.t0) / 1000).toFixed(3)}s: ${peak.open.join('; ')}`);
    }
    expectNone(violations, 'keys with more executions at once than their limit');
  });

  it(`the rate-limited queue never starts more than ${rate.max} jobs in any ${rate.windowMs} ms`, () => {
    const s = needSoak();
    const starts: { at: number; item: string }[] = [];
    for (const f of s.facts.values()) {
      if (f.queue !== rateQueue) continue;
      for (const r of f.rows) {
        const pid = r.worker_id ? s.workerIds.get(r.worker_id)?.pid : undefined;
        starts.push({ at: r.started_at - (pid === undefined ? 0 : s.skewOfPid(pid)), item: `${f.id}#${r.attempt} on ${r.worker_id}` });
      }
    }
    expect(starts.length, 'starts in the rate-limited queue').toBeGreaterThan(rate.max);
    const peak = peakInWindow(starts, rate.windowMs);
    const violations = peak.peak > rate.max ? [`${peak.peak} starts in ${rate.windowMs} ms from ${((peak.from - s.wall0) / 1000).toFixed(3)}s: ${peak.items.join('; ')}`] : [];
    expectNone(violations, `windows over the rate (${starts.length} starts in all)`);
  });

  it('every worker process stops only when told: none dies by itself, and each exits 0 on SIGTERM', () => {
    const s = needSoak();
    expectNone([...s.unexpectedExits, ...s.badStops], 'worker processes that crashed or did not stop cleanly');
  });

  it('the database file passes PRAGMA integrity_check', async () => {
    needSoak();
    const rows = await (await db.engine()).all<{ integrity_check: string }>('PRAGMA integrity_check');
    expect(rows.map((r) => r.integrity_check)).toEqual(['ok']);
  });
});
