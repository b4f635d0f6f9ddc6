import { performance } from 'node:perf_hooks';
import { heartbeatIntervalMs, leaseExpiryCheckMs, leaseSafetyMarginMs } from '../../config/defaults';
import { JobCancelledError, LeaseLostError } from '../../core/errors';
import type { Engine } from '../../db/engine';
import { attemptKey, renewLeases, type HeldAttempt } from '../../store/lease';
import type { Clock } from './shared-clock';

interface Held extends HeldAttempt {
  controller: AbortController;
  /** performance.now() when the last renewal that covered it (or its claim) was sent: the lease runs from there. */
  renewedAt: number;
}

/**
 * Renews the leases of the attempts one worker runs, in one statement per
 * beat three times per lease, and fences them: an attempt the beat no
 * longer finds was taken over (its signal aborts with a LeaseLostError and
 * nothing it writes lands); one whose lease ran out on this process's own
 * monotonic clock because beats kept failing (the database locked or
 * unreachable) aborts the same way, at once, before any reaper can have
 * taken the job; one someone cancelled aborts with a JobCancelledError.
 * Attempts are keyed by job and attempt number, so a later attempt of the
 * same job in the same worker is a different entry.
 */
export class LeaseKeeper {
  private readonly held = new Map<string, Held>();
  private timers: NodeJS.Timeout[] = [];
  private beating?: Promise<void>;

  constructor(
    private readonly engine: Engine,
    private readonly workerId: string,
    private readonly leaseMs: number,
    private readonly clock: Clock,
    private readonly report: { failed(error: unknown): void; succeeded(): void } = { failed: () => {}, succeeded: () => {} },
  ) {}

  start(): this {
    if (this.timers.length === 0) {
      this.timers = [
        setInterval(() => void this.beat(), heartbeatIntervalMs(this.leaseMs)),
        setInterval(() => this.abortExpired(), leaseExpiryCheckMs(this.leaseMs)),
      ];
    }
    return this;
  }

  /**
   * Starts watching a claimed attempt; the signal aborts if its lease is lost.
   * `claimedAt` is performance.now() from before the claim was sent.
   */
  track(attempt: HeldAttempt, claimedAt: number): AbortSignal {
    const controller = new AbortController();
    const key = attemptKey(attempt.jobId, attempt.attempt);
    this.held.set(key, { ...attempt, controller, renewedAt: claimedAt });
    // The process may have stalled (SIGSTOP, a paused VM) between sending the claim and
    // getting here, past the lease: a reaper may have handed the job on already, so the
    // signal is aborted before the attempt starts, and it never runs beside its successor.
    if (claimedAt <= this.expiryDeadline()) this.abort(key, new LeaseLostError(attempt.jobId));
    return controller.signal;
  }

  untrack(attempt: HeldAttempt): void {
    this.held.delete(attemptKey(attempt.jobId, attempt.attempt));
  }

  /** One heartbeat; concurrent calls share the one in flight. */
  beat(): Promise<void> {
    this.beating ??= this.renew().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async renew(): Promise<void> {
    const sentAt = performance.now();
    const asked = [...this.held.entries()];
    try {
      const { renewed, cancelRequested } = await renewLeases(this.engine, {
        workerId: this.workerId, attempts: asked.map(([, held]) => held), now: this.clock.now(), leaseMs: this.leaseMs,
      });
      for (const [key, held] of asked) {
        if (this.held.get(key) !== held) continue; // ended while the beat was in flight
        if (cancelRequested.has(key)) this.abort(key, new JobCancelledError());
        else if (renewed.has(key)) held.renewedAt = sentAt;
        else this.abort(key, new LeaseLostError(held.jobId));
      }
      this.report.succeeded();
    } catch (error) {
      this.report.failed(error); // the next beat tries again; the lease outlasts a missed beat
    }
    this.abortExpired();
  }

  /** Aborts every attempt whose lease has run out by this process's monotonic clock. */
  private abortExpired(): void {
    const deadline = this.expiryDeadline();
    for (const [key, held] of this.held) if (held.renewedAt <= deadline) this.abort(key, new LeaseLostError(held.jobId));
  }

  /** A lease renewed (or claimed) at or before this performance.now() has run out, less the safety margin. */
  private expiryDeadline(): number {
    return performance.now() - (this.leaseMs - leaseSafetyMarginMs(this.leaseMs));
  }

  private abort(key: string, reason: Error): void {
    const held = this.held.get(key);
    this.held.delete(key);
    held?.controller.abort(reason);
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
    await this.beating;
  }
}
