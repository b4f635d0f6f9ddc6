import type { Engine } from '../db/engine';
import type { JobRow } from '../db/schema';
import { claimJobs, claimRateLimitedJobs } from '../store/claim';

export interface ClaimRound {
  jobs: JobRow[];
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

  async claim(limit: number, now: number): Promise<ClaimRound> {
    const round: ClaimRound = { jobs: [], nextStartAt: null };
    const base = { workerId: this.workerId, now, leaseMs: this.leaseMs, names: this.names };
    const take = async (queue: string) => {
      const free = limit - round.jobs.length;
      if (free <= 0) return;
      if (!this.rateLimited.includes(queue)) {
        round.jobs.push(...(await claimJobs(this.engine, { ...base, queues: [queue], limit: free })));
        return;
      }
      const wait = this.notBefore.get(queue);
      if (wait && wait.at > now) {
        if (!wait.empty) round.nextStartAt = Math.min(round.nextStartAt ?? Infinity, wait.at);
        return;
      }
      const claimed = await claimRateLimitedJobs(this.engine, { ...base, queues: [queue], queue, limit: free });
      round.jobs.push(...claimed.jobs);
      if (claimed.jobs.length === free) this.notBefore.delete(queue);
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
    const free = limit - round.jobs.length;
    if (free > 0) round.jobs.push(...(await claimJobs(this.engine, { ...base, queues: [], limit: free })));
    return round;
  }
}
