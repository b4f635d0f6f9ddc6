import { heartbeatIntervalMs } from '../../config/defaults';
import { JobCancelledError, LeaseLostError } from '../../core/errors';
import type { Engine } from '../../db/engine';
import { renewLeases } from '../../store/lease';

/**
 * Renews the leases of every job one worker runs, in one statement per beat,
 * at half the lease length. A job whose lease the beat no longer finds was
 * taken over (its lease expired while the worker stalled): its signal aborts
 * with a LeaseLostError and its result will not be written. A job someone
 * cancelled aborts with a JobCancelledError.
 */
export class LeaseKeeper {
  private readonly held = new Map<string, { controller: AbortController; since: number }>();
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly engine: Engine,
    private readonly workerId: string,
    private readonly leaseMs: number,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.beat(), heartbeatIntervalMs(this.leaseMs));
    return this;
  }

  /** Starts watching a claimed job; the signal aborts if its lease is lost. */
  track(jobId: string): AbortSignal {
    const controller = new AbortController();
    this.held.set(jobId, { controller, since: Date.now() });
    return controller.signal;
  }

  untrack(jobId: string): void {
    this.held.delete(jobId);
  }

  /** One heartbeat; concurrent calls share the one in flight. */
  beat(): Promise<void> {
    this.beating ??= this.renew().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async renew(): Promise<void> {
    const startedAt = Date.now();
    try {
      const { owned, cancelRequested } = await renewLeases(this.engine, { workerId: this.workerId, now: startedAt, leaseMs: this.leaseMs });
      for (const [jobId, entry] of this.held) {
        if (cancelRequested.has(jobId)) {
          this.held.delete(jobId);
          entry.controller.abort(new JobCancelledError());
        } else if (entry.since <= startedAt && !owned.has(jobId)) {
          // (A job claimed while this beat was in flight may be missing from its answer without being lost.)
          this.held.delete(jobId);
          entry.controller.abort(new LeaseLostError(jobId));
        }
      }
    } catch (error) {
      this.onError(error); // the next beat tries again; the lease outlasts one missed beat
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
  }
}
