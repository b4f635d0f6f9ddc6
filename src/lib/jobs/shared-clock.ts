import { performance } from 'node:perf_hooks';
import type { Engine } from '../../db/engine';
import { readDatabaseTime } from '../../store/clock';

/** Epoch ms on the clock that decides rate windows, run times and retries. */
export interface Clock {
  now(): number;
}

/** A jump of the wall clock against the monotonic one bigger than this is a step (NTP, a VM resumed). */
const stepToleranceMs = 500;

/**
 * The database's clock, read through this process's: every time a worker or
 * poller decides with (a rate window, a retry's run time, a cron fire) is
 * taken from it, so machines whose wall clocks disagree still agree on those.
 * On a remote database the offset to the server is measured at each sync (the
 * round trip's midpoint; off by at most half a round trip), and a step of this
 * machine's wall clock between syncs is taken out at once (the monotonic clock
 * did not step). A local file's clock is the host's, this process's own, so
 * there is nothing to measure. Leases depend on no wall clock: see the Reaper.
 */
export class SharedClock implements Clock {
  private offsetMs = 0;
  private wallMinusMonotonic = Date.now() - performance.now();

  constructor(private readonly engine: Engine) {}

  now(): number {
    const wall = Date.now();
    if (this.engine.kind === 'file') return wall;
    const step = wall - performance.now() - this.wallMinusMonotonic;
    if (Math.abs(step) > stepToleranceMs) {
      this.wallMinusMonotonic += step;
      this.offsetMs -= step;
      void this.sync();
    }
    return wall + this.offsetMs;
  }

  /** Syncs now and then every `intervalMs` until the returned function is called (remote only). */
  async keepSynced(intervalMs: number): Promise<() => void> {
    if (this.engine.kind === 'file') return () => {};
    await this.sync();
    const timer = setInterval(() => void this.sync(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Measures the offset again (remote only); a failed read keeps the last one. */
  async sync(): Promise<void> {
    if (this.engine.kind === 'file') return;
    try {
      const sentAt = Date.now();
      const databaseNow = await readDatabaseTime(this.engine);
      const receivedAt = Date.now();
      this.offsetMs = Math.round(databaseNow - (sentAt + receivedAt) / 2);
      this.wallMinusMonotonic = receivedAt - performance.now();
    } catch {
      // the next sync tries again
    }
  }
}
