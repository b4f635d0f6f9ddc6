import { heartbeatIntervalMs } from '../config/defaults';
import type { Engine } from '../db/engine';
import type { JobRow } from '../db/schema';
import { JobsError } from '../core/errors';
import { isTerminal } from '../core/states';
import { getJob } from './queries';
import { aheadIn } from './waiting-order';
import { liveSince, liveWorker, servesJob } from './workers';

/** A parent a blocked job still waits for. */
export interface OpenParent {
  id: string;
  name: string;
  state: 'pending' | 'running';
}

/** A live worker as the page shows it: what it takes. */
export interface LiveWorkerView {
  id: string;
  /** The queues it takes, or null for every queue. */
  queues: string[] | null;
  /** The job names it can run, or null when it recorded none (it takes any). */
  jobNames: string[] | null;
  /** Whether it takes this job: serves its queue and can run its name. */
  serves: boolean;
}

/** What holds a pending job, read for its `scheduled` code (see the jobs table). */
export type PendingWait =
  /** 1: its run_at (the job row has it). */
  | { on: 'run_at' }
  /** 3: the parents not yet ended, the first openParentsShown of them by id, and how many there are. */
  | { on: 'parents'; open: OpenParent[]; openCount: number }
  /** 2: its queue's pause, and since when (null if the queue was resumed a moment ago). */
  | { on: 'pause'; pausedAt: number | null }
  /**
   * 4: the jobs holding its key's slots (granted or running), the first slotHoldersShown
   * of them (running ones first), and those waiting ahead of it in grant order.
   */
  | { on: 'slot'; held: number; holders: SlotHolder[]; ahead: number }
  /**
   * 5: its queue's rate limit (null if lifted a moment ago), the starts inside
   * the window at `now`, when the window next lets a job start if it is full,
   * and the jobs ahead of it in the rate-limited claim.
   */
  | { on: 'rate'; limit: { max: number; durationMs: number } | null; used: number; opensAt: number | null; ahead: number }
  /** 0: ready; the jobs ahead of it in its queue's claim order. */
  | { on: 'claim'; ahead: number };

/** A job holding a slot of a concurrency key: running, or granted the slot and about to be claimed. */
export interface SlotHolder {
  id: string;
  state: 'running' | 'granted';
}

/** Everything whyWaiting needs to name the first cause, read for one job. */
export type WaitFacts =
  | { state: 'ended' }
  | {
    state: 'running';
    job: JobRow;
    /** Its worker's last heartbeat and liveness; null for a run with no registered worker (executeFromDatabase). */
    worker: { lastHeartbeatAt: number; alive: boolean } | null;
    /** How often a live worker heartbeats (heartbeatIntervalMs of the lease): a worker silent for two of these missed its beats. */
    heartbeatEveryMs: number;
    /** Live workers other than its own: any of them takes the job back once its lease ran out (every worker runs a reaper). */
    otherLiveWorkers: number;
  }
  | { state: 'pending'; job: JobRow; wait: PendingWait; workers: LiveWorkerView[] };

/** Parents listed by name for a blocked job; the rest are counted. */
export const openParentsShown = 20;
/** Jobs listed as holding a full key's slots; the rest are counted. */
export const slotHoldersShown = 5;
/** Live workers listed; the ones that serve the job come first. */
const workersShown = 50;

/**
 * Read-only. What holds job `id` (an exact id) at `now`: for a pending job,
 * the one reading its `scheduled` code calls for, plus the live workers; for
 * a running one, its worker's heartbeat and how many other workers are live
 * (to take it back); for an ended job, nothing. Each
 * reading is one query served by the index named beside it, so it stays
 * cheap with a million jobs: no statement walks more than the job's own
 * parents, the workers table or aheadCountCap index entries per count
 * (waiting-order.ts).
 * Throws not_found for an unknown id.
 */
export async function readWaitFacts(engine: Engine, id: string, args: { now: number; leaseMs: number }): Promise<WaitFacts> {
  const job = await getJob(engine, id); // the primary key
  if (!job) throw new JobsError('not_found', `No job ${id}`);
  if (isTerminal(job.state)) return { state: 'ended' };
  if (job.state === 'running') {
    const [worker, otherLiveWorkers] = [await readWorkerOf(engine, job, args), await countOtherLiveWorkers(engine, job, args)];
    return { state: 'running', job, worker, heartbeatEveryMs: heartbeatIntervalMs(args.leaseMs), otherLiveWorkers };
  }
  const [wait, workers] = [await readPendingWait(engine, job, args.now), await readLiveWorkers(engine, job, args)];
  return { state: 'pending', job, wait, workers };
}

async function readPendingWait(engine: Engine, job: JobRow, now: number): Promise<PendingWait> {
  switch (job.scheduled) {
    case 1:
      return { on: 'run_at' };
    case 3:
      return readOpenParents(engine, job.id);
    case 2: {
      const [row] = await engine.all<{ paused_at: number }>(`SELECT paused_at FROM paused_queues WHERE queue = ?`, [job.queue]); // its primary key
      return { on: 'pause', pausedAt: row ? Number(row.paused_at) : null };
    }
    case 4:
      return readSlot(engine, job);
    case 5:
      return readRate(engine, job, now);
    default: {
      const ahead = aheadIn('claim', job.queue, job);
      const [row] = await engine.all<{ ahead: number }>(`SELECT ${ahead.sql} AS ahead`, ahead.args);
      return { on: 'claim', ahead: Number(row.ahead) };
    }
  }
}

/** The parents not yet ended: job_dependencies' primary key (job_id, parent_id), then each parent by its own. */
async function readOpenParents(engine: Engine, id: string): Promise<PendingWait> {
  const rows = await engine.all<{ id: string; name: string; state: OpenParent['state']; open: number }>(
    `SELECT p.id, p.name, p.state, count(*) OVER () AS open
     FROM job_dependencies d JOIN jobs p ON p.id = d.parent_id
     WHERE d.job_id = ? AND p.state IN ('pending', 'running') ORDER BY d.parent_id LIMIT ${openParentsShown}`,
    [id],
  );
  return { on: 'parents', open: rows.map((r) => ({ id: r.id, name: r.name, state: r.state })), openCount: rows.length ? Number(rows[0].open) : 0 };
}

/** The jobs holding slots of a key (argument: the key), as grantSlotsStatement counts them: jobs_slot_idx's own WHERE. */
const slotHoldersWhere = `concurrency_key IS NOT NULL AND (state = 'running' OR (state = 'pending' AND scheduled IN (0, 5))) AND concurrency_key = ?`;

/**
 * The slots of its key: the held ones through jobs_slot_idx, the first of them
 * by name (the index holds only the key's holders, at most about its limit, so
 * sorting them is small), and the jobs ahead in grant order.
 */
async function readSlot(engine: Engine, job: JobRow): Promise<PendingWait> {
  const ahead = aheadIn('slot', job.concurrencyKey, job);
  const [row] = await engine.all<{ held: number; ahead: number }>(
    `SELECT (SELECT count(*) FROM jobs INDEXED BY jobs_slot_idx WHERE ${slotHoldersWhere}) AS held, ${ahead.sql} AS ahead`,
    [job.concurrencyKey, ...ahead.args],
  );
  const holders = await engine.all<{ id: string; state: string }>(
    `SELECT id, state FROM jobs INDEXED BY jobs_slot_idx WHERE ${slotHoldersWhere} ORDER BY state = 'running' DESC, id LIMIT ${slotHoldersShown}`,
    [job.concurrencyKey],
  );
  return {
    on: 'slot', held: Number(row.held), ahead: Number(row.ahead),
    holders: holders.map((h) => ({ id: h.id, state: h.state === 'running' ? 'running' : 'granted' })),
  };
}

/**
 * Its queue's rate window as claimRateLimitedJobs counts it (src/store/claim.ts): the
 * starts after `now - rate_duration_ms` count against rate_max, through
 * queue_rate_starts_idx. When the window is full, it lets a job start once enough of
 * them have aged out: at the (used - max + 1)-th oldest start plus the window (the
 * oldest, unless the limit was lowered).
 */
async function readRate(engine: Engine, job: JobRow, now: number): Promise<PendingWait> {
  const before = aheadIn('rate', job.queue, job);
  const [row] = await engine.all<{ rate_max: number | null; rate_duration_ms: number | null; used: number | null; ahead: number }>(
    `SELECT l.rate_max, l.rate_duration_ms,
            (SELECT count(*) FROM queue_rate_starts s INDEXED BY queue_rate_starts_idx
             WHERE s.queue = l.queue AND s.started_at > ? - l.rate_duration_ms) AS used,
            ${before.sql} AS ahead
     FROM (SELECT 1) LEFT JOIN queue_limits l ON l.queue = ?`,
    [now, ...before.args, job.queue],
  );
  const ahead = Number(row.ahead);
  if (row.rate_max == null) return { on: 'rate', limit: null, used: 0, opensAt: null, ahead };
  const limit = { max: Number(row.rate_max), durationMs: Number(row.rate_duration_ms) };
  const used = Number(row.used);
  if (used < limit.max) return { on: 'rate', limit, used, opensAt: null, ahead };
  // SQLite takes no outer column in an OFFSET, so the start that has to age out is a second read.
  const [start] = await engine.all<{ started_at: number }>(
    `SELECT started_at FROM queue_rate_starts INDEXED BY queue_rate_starts_idx WHERE queue = ? AND started_at > ?
     ORDER BY started_at LIMIT 1 OFFSET ?`,
    [job.queue, now - limit.durationMs, used - limit.max],
  );
  return { on: 'rate', limit, used, opensAt: start ? Number(start.started_at) + limit.durationMs : null, ahead };
}

/** The live workers, through workers_heartbeat_idx, those that would take this job first. */
async function readLiveWorkers(engine: Engine, job: JobRow, args: { now: number; leaseMs: number }): Promise<LiveWorkerView[]> {
  const rows = await engine.all<{ id: string; queues: string; job_names: string | null; serves: number }>(
    `SELECT id, queues, job_names, ${servesJob} AS serves FROM workers INDEXED BY workers_heartbeat_idx
     WHERE ${liveWorker} ORDER BY serves DESC, last_heartbeat_at DESC LIMIT ${workersShown}`,
    [job.queue, job.name, liveSince(args.now, args.leaseMs)],
  );
  return rows.map((r) => ({
    id: r.id,
    queues: r.queues === '*' ? null : r.queues.split(',').map((q) => q.trim()).filter(Boolean),
    jobNames: r.job_names == null ? null : (JSON.parse(r.job_names) as string[]),
    serves: Number(r.serves) === 1,
  }));
}

/** The running job's worker by its primary key: null when it never registered (a job run in-process by executeFromDatabase). */
async function readWorkerOf(engine: Engine, job: JobRow, args: { now: number; leaseMs: number }) {
  if (!job.lockedBy) return null;
  const [row] = await engine.all<{ last_heartbeat_at: number; alive: number }>(
    `SELECT last_heartbeat_at, (${liveWorker}) AS alive FROM workers WHERE id = ?`,
    [liveSince(args.now, args.leaseMs), job.lockedBy],
  );
  return row ? { lastHeartbeatAt: Number(row.last_heartbeat_at), alive: Number(row.alive) === 1 } : null;
}

/** The live workers but the running job's own, through workers_heartbeat_idx. */
async function countOtherLiveWorkers(engine: Engine, job: JobRow, args: { now: number; leaseMs: number }): Promise<number> {
  const [row] = await engine.all<{ n: number }>(
    `SELECT count(*) AS n FROM workers INDEXED BY workers_heartbeat_idx WHERE ${liveWorker} AND id IS NOT ?`,
    [liveSince(args.now, args.leaseMs), job.lockedBy],
  );
  return Number(row.n);
}
