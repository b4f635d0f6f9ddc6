import type { Engine } from '../../db/engine';
import { aheadCountCap } from '../../store/waiting-order';
import { readWaitFacts, type LiveWorkerView, type OpenParent, type SlotHolder, type WaitFacts } from '../../store/why-waiting';

/** A count of jobs ahead, bounded: `orMore` means "more than `count`" (shown as 1000+). */
export interface AheadCount {
  count: number;
  orMore: boolean;
}

/**
 * Why a pending or running job is not running (or how it runs), as data the
 * admin page puts in words: the first cause that applies. Times are epoch ms.
 */
export type WaitCause =
  /** It waits for its run_at (delayed by its caller or a schedule), in `queue`. */
  | { kind: 'runs_later'; at: number; queue: string }
  /**
   * Attempt `attempt - 1` failed (with `lastError`, the job's last error message, if
   * it kept one); it runs again at `at`, as attempt `attempt` of `maxAttempts`.
   */
  | { kind: 'retry_backoff'; at: number; attempt: number; maxAttempts: number; lastError: string | null }
  /**
   * It waits for jobs it depends on: `by` lists the first of those not yet ended,
   * `openCount` counts them all. Empty once they all ended: the next dependency sweep releases or fails it.
   */
  | { kind: 'blocked'; by: OpenParent[]; openCount: number }
  /** Its queue is paused (since null: resumed a moment ago). */
  | { kind: 'queue_paused'; queue: string; since: number | null }
  /**
   * Its concurrency key's `limit` slots are all taken: `running` jobs hold one
   * (running, or granted and about to be claimed; `holders` are the first of them),
   * `ahead` more wait before it in grant order.
   */
  | { kind: 'concurrency_full'; key: string; limit: number; running: number; holders: SlotHolder[]; ahead: AheadCount }
  /** Its queue started `max` jobs in the last `durationMs`; the window lets the next start at `opensAt`. */
  | { kind: 'rate_limited'; queue: string; max: number; durationMs: number; opensAt: number; ahead: AheadCount }
  /** It is ready, but no live worker takes its queue and can run its name; these are the live ones. */
  | { kind: 'no_worker'; queue: string; name: string; liveWorkers: Omit<LiveWorkerView, 'serves'>[] }
  /**
   * It is ready and a live worker takes it, when one is free: `ahead` ready jobs
   * of its queue come first in claim order (null when it is not in the claim order
   * yet: due a moment ago, or granted a slot at the next sweep).
   */
  | { kind: 'waiting_for_worker'; ahead: AheadCount | null }
  /** It runs on `worker`, whose lease lasts until `leaseUntil` (workerAlive null: an in-process run, no registered worker). */
  | { kind: 'running'; worker: string; leaseUntil: number; workerAlive: boolean | null; heartbeatAgeMs: number | null; cancelRequested: boolean }
  /**
   * It is marked running, but nobody keeps it: its worker stopped heartbeating,
   * missing two beats in a row (`heartbeat_late`, while its lease may still run) or
   * for two leases, so it counts as dead (`worker_dead`); or its lease ran out
   * unrenewed (`lease_ran_out`: an in-process run, or an attempt its worker gave up).
   * Once the lease has run out, any of the `otherLiveWorkers` takes it back.
   */
  | {
    kind: 'lease_expiring'; worker: string; leaseUntil: number; heartbeatAgeMs: number | null; heartbeatEveryMs: number;
    reason: 'heartbeat_late' | 'worker_dead' | 'lease_ran_out'; otherLiveWorkers: number;
  };

export type WaitCauseKind = WaitCause['kind'];

/**
 * The first cause that holds a job, from what readWaitFacts read; null for a
 * job that ended. Pure: `now` is the moment the facts were read at.
 * @example waitCause({ state: 'pending', job: { scheduled: 1, runAt: now + 5000, attempts: 0, queue: 'mail', ... }, ... }, now) // { kind: 'runs_later', at: now + 5000, queue: 'mail' }
 */
export function waitCause(facts: WaitFacts, now: number): WaitCause | null {
  if (facts.state === 'ended') return null;
  const { job } = facts;
  if (facts.state === 'running') {
    const worker = job.lockedBy ?? '';
    const leaseUntil = job.lockedUntil ?? 0;
    const heartbeatAgeMs = facts.worker ? Math.max(0, now - facts.worker.lastHeartbeatAt) : null;
    const expiring = (reason: 'heartbeat_late' | 'worker_dead' | 'lease_ran_out'): WaitCause => ({
      kind: 'lease_expiring', worker, leaseUntil, heartbeatAgeMs, heartbeatEveryMs: facts.heartbeatEveryMs, reason, otherLiveWorkers: facts.otherLiveWorkers,
    });
    if (facts.worker && !facts.worker.alive) return expiring('worker_dead');
    // Two beats missed: a stopped or frozen process, told while its lease still runs (it is counted dead only after two leases).
    if (heartbeatAgeMs !== null && heartbeatAgeMs > 2 * facts.heartbeatEveryMs) return expiring('heartbeat_late');
    if (leaseUntil < now) return expiring('lease_ran_out');
    return { kind: 'running', worker, leaseUntil, workerAlive: facts.worker?.alive ?? null, heartbeatAgeMs, cancelRequested: job.cancelRequested === 1 };
  }
  const { wait, workers } = facts;
  const ready = (ahead: number | null): WaitCause => {
    if (!workers.some((w) => w.serves)) {
      return { kind: 'no_worker', queue: job.queue, name: job.name, liveWorkers: workers.map(({ id, queues, jobNames }) => ({ id, queues, jobNames })) };
    }
    return { kind: 'waiting_for_worker', ahead: ahead === null ? null : capped(ahead) };
  };
  switch (wait.on) {
    case 'run_at':
      if (job.runAt <= now) return ready(null); // due: a worker promotes it at its next poll
      return job.attempts > 0
        ? { kind: 'retry_backoff', at: job.runAt, attempt: job.attempts + 1, maxAttempts: job.maxAttempts, lastError: job.error }
        : { kind: 'runs_later', at: job.runAt, queue: job.queue };
    case 'parents':
      return { kind: 'blocked', by: wait.open, openCount: wait.openCount };
    case 'pause':
      return { kind: 'queue_paused', queue: job.queue, since: wait.pausedAt };
    case 'slot': {
      const limit = job.concurrencyLimit ?? 1;
      // Slots go in grant order: the jobs ahead take the free ones first.
      if (wait.held + wait.ahead >= limit) {
        return { kind: 'concurrency_full', key: job.concurrencyKey ?? '', limit, running: wait.held, holders: wait.holders, ahead: capped(wait.ahead) };
      }
      return ready(null); // a slot is free for it: the next grant (at once, or a worker's sweep) gives it
    }
    case 'rate':
      if (wait.limit && wait.opensAt !== null) {
        return { kind: 'rate_limited', queue: job.queue, max: wait.limit.max, durationMs: wait.limit.durationMs, opensAt: wait.opensAt, ahead: capped(wait.ahead) };
      }
      return ready(wait.ahead);
    case 'claim':
      return ready(wait.ahead);
  }
}

function capped(count: number): AheadCount {
  return count > aheadCountCap ? { count: aheadCountCap, orMore: true } : { count, orMore: false };
}

/**
 * Read-only. Why job `id` (an exact id) is not running at `now`, or null if it
 * ended; `leaseMs` decides which workers count as live (a heartbeat within two
 * leases). A few small index reads (see readWaitFacts). Throws not_found.
 */
export async function whyWaiting(engine: Engine, id: string, args: { now: number; leaseMs: number }): Promise<WaitCause | null> {
  return waitCause(await readWaitFacts(engine, id, args), args.now);
}
