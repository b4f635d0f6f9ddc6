import type { Engine } from '../db/engine';
import type { ClaimedJob } from '../store/rows';
import { claimJobs, claimJobsWhenCommitting, claimRateLimitedJobs } from '../store/claim';

export interface ClaimRound {
  jobs: ClaimedJob[];
  /** How many jobs it asked for: fewer came back when no more were due. */
  asked: number;
  /** When a rate-limited queue with waiting jobs lets the next one start, if one held jobs back. */
  nextStartAt: number | null;
}

/**
 * A worker's claims across its queues: the ordinary claim for most, the
 * rate-limited claim for queues with a rate limit. A rate-limited queue that
 * had nothing to give is not asked again before its window lets a job start,
 * or, if it was empty, before the next ring or poll (`forgetEmpty`).
 */
export class Claimer {
  private rateLimited: string[] = [];
  private readonly notBefore = new Map<string, { at: number; empty: boolean }>();

  constructor(
    private readonly engine: Engine,
    private readonly workerId: string,
    /** Queues in the order they are served; empty takes every queue. */
    private readonly queues: readonly string[],
    private readonly leaseMs: number,
    /** The job names this worker can run: it claims no other. */
    private readonly names: readonly string[],
  ) {}

  /** The queues that have a rate limit now (read by the worker at every poll). */
  setRateLimited(queues: string[]): void {
    this.rateLimited = queues;
    for (const queue of this.notBefore.keys()) if (!queues.includes(queue)) this.notBefore.delete(queue);
  }

  /** New jobs may have arrived: ask the empty rate-limited queues again. */
  forgetEmpty(): void {
    for (const [queue, wait] of this.notBefore) if (wait.empty) this.notBefore.delete(queue);
  }

  /**
   * `free` is the number of free slots, read as late as the claim allows: in
   * the common case (every queue, none rate-limited) when the claim's
   * transaction begins, so slots freed by jobs finishing in the meantime are
   * filled by the same claim (see claimJobsWhenCommitting).
   */
  async claim(free: () => number, now: number): Promise<ClaimRound> {
    if (this.queues.length === 0 && this.rateLimited.length === 0) {
      const { jobs, asked } = await claimJobsWhenCommitting(this.engine, {
        workerId: this.workerId, leaseMs: this.leaseMs, names: this.names, limit: free, now,
      });
      return { jobs, asked, nextStartAt: null };
    }
    const limit = free();
    const round: ClaimRound = { jobs: [], asked: limit, nextStartAt: null };
    const base = { workerId: this.workerId, now, leaseMs: this.leaseMs, names: this.names };
    const take = async (queue: string) => {
      const room = limit - round.jobs.length;
      if (room <= 0) return;
      if (!this.rateLimited.includes(queue)) {
        round.jobs.push(...(await claimJobs(this.engine, { ...base, queues: [queue], limit: room })));
        return;
      }
      const wait = this.notBefore.get(queue);
      if (wait && wait.at > now) {
        if (!wait.empty) round.nextStartAt = Math.min(round.nextStartAt ?? Infinity, wait.at);
        return;
      }
      const claimed = await claimRateLimitedJobs(this.engine, { ...base, queues: [queue], queue, limit: room });
      round.jobs.push(...claimed.jobs);
      if (claimed.jobs.length === room) this.notBefore.delete(queue);
      else if (claimed.nextStartAt !== null) this.notBefore.set(queue, { at: claimed.nextStartAt, empty: false });
      else this.notBefore.set(queue, { at: Number.POSITIVE_INFINITY, empty: true });
      if (claimed.nextStartAt !== null) round.nextStartAt = Math.min(round.nextStartAt ?? Infinity, claimed.nextStartAt);
    };
    if (this.queues.length) {
      for (const queue of this.queues) await take(queue);
      return round;
    }
    // Rate-limited queues first: their rate bounds what they take, and a busy ordinary
    // backlog would otherwise leave them no free slot at all.
    for (const queue of this.rateLimited) await take(queue);
    const left = limit - round.jobs.length;
    if (left > 0) round.jobs.push(...(await claimJobs(this.engine, { ...base, queues: [], limit: left })));
    return round;
  }
}
