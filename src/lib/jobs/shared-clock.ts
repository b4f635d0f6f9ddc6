import type { Engine } from '../../db/engine';
import { readDatabaseTime } from '../../store/clock';

/** Epoch ms on the clock that decides rate windows, run times and retries. */
export interface Clock {
  now(): number;
}

/**
 * The database's clock, read through this process's: every time a worker or
 * poller decides with (a rate window, a retry's run time, a cron fire) is
 * taken from it, so machines whose wall clocks disagree still agree on those.
 * On a remote database the offset to the server is measured at each sync (the
 * round trip's midpoint; off by at most half a round trip); a local file's
 * clock is the host's, this process's own, so there is nothing to measure.
 * Leases do not depend on any clock: see the Reaper.
 */
export class SharedClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly engine: Engine) {}

  now(): number {
    return Date.now() + this.offsetMs;
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
      this.offsetMs = Math.round(databaseNow - (sentAt + Date.now()) / 2);
    } catch {
      // the next sync tries again
    }
  }
}
