import { performance } from 'node:perf_hooks';
import { reapIntervalMs } from '../config/defaults';
import type { Engine } from '../db/engine';
import { resolveDependents } from '../store/dependencies';
import { listRunningLeases, reapLeases, type ReapedJob, type RunningLease } from '../store/lease';
import type { Clock } from '../lib/jobs/shared-clock';

/** The lease as last seen: the same attempt with the same locked_until means nobody renewed it. */
interface Sighting {
  token: string;
  /** performance.now() when this reaper first saw that token. */
  since: number;
}

/**
 * Every half lease (at most 5 s), takes back attempts whose worker stopped
 * renewing their lease, so a crashed or stalled worker's jobs run again
 * elsewhere. It does not compare locked_until with any clock: it takes an
 * attempt back once it has seen the same lease (attempt and locked_until)
 * unchanged for a whole lease by its own monotonic clock. So no wall clock,
 * stepped or skewed on any machine, can make it take a healthy job; the cost
 * is that a reaper that has just started waits one lease before it takes
 * anything. Every worker runs one; the store's compare-and-set on the lease
 * makes concurrent reapers and late renewals safe.
 */
export class Reaper {
  private timer?: NodeJS.Timeout;
  private seen = new Map<string, Sighting>();

  constructor(
    private readonly engine: Engine,
    private readonly leaseMs: number,
    private readonly clock: Clock,
    private readonly onReaped: (jobs: ReapedJob[]) => void,
    private readonly report: { failed(error: unknown): void; succeeded(): void },
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.reapNow(), reapIntervalMs(this.leaseMs));
    return this;
  }

  async reapNow(): Promise<ReapedJob[]> {
    try {
      const stale = this.stale(await listRunningLeases(this.engine));
      const reaped = await reapLeases(this.engine, stale, this.clock.now());
      // Also the sweep for jobs whose parents ended without resolving them (a crash, a cancel, a reaped last attempt).
      const { released } = await resolveDependents(this.engine, { now: this.clock.now() });
      if (reaped.length || released.length) this.onReaped(reaped);
      this.report.succeeded();
      return reaped;
    } catch (error) {
      this.report.failed(error);
      return [];
    }
  }

  /** Records what it sees now; returns the leases unchanged for a whole lease. */
  private stale(leases: RunningLease[]): RunningLease[] {
    const now = performance.now();
    const seen = new Map<string, Sighting>();
    const stale: RunningLease[] = [];
    for (const lease of leases) {
      const token = `${lease.attempt}:${lease.lockedBy}:${lease.lockedUntil}`;
      const before = this.seen.get(lease.jobId);
      const since = before?.token === token ? before.since : now;
      seen.set(lease.jobId, { token, since });
      if (now - since >= this.leaseMs) stale.push(lease);
    }
    this.seen = seen; // jobs no longer running are forgotten
    return stale;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
