import { reapIntervalMs } from '../config/defaults';
import type { Engine } from '../db/engine';
import { resolveDependents } from '../store/dependencies';
import { reapExpiredLeases, type ReapedJob } from '../store/lease';
import { grantSlots } from '../store/limits';

/**
 * Every half lease (at most 5 s), takes back jobs whose worker stopped
 * renewing their lease, so a crashed worker's jobs run again elsewhere.
 * Every worker runs one; the store's statement makes concurrent reapers safe.
 */
export class Reaper {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly engine: Engine,
    private readonly leaseMs: number,
    private readonly onReaped: (jobs: ReapedJob[]) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): this {
    this.timer ??= setInterval(() => void this.reapNow(), reapIntervalMs(this.leaseMs));
    return this;
  }

  async reapNow(): Promise<ReapedJob[]> {
    try {
      const reaped = await reapExpiredLeases(this.engine, Date.now());
      // Slots of concurrency keys the dead worker held are free again.
      if (reaped.length) await grantSlots(this.engine);
      // Also the sweep for jobs whose parents ended without resolving them (a crash, a cancel, a reaped last attempt).
      const { released } = await resolveDependents(this.engine, { now: Date.now() });
      if (reaped.length || released.length) this.onReaped(reaped);
      return reaped;
    } catch (error) {
      this.onError(error);
      return [];
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
