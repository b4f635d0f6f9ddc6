import type { Engine } from '@/db/engine';
import { listRunningLeases, reapLeases } from '@/store/lease';

/**
 * Takes back every running attempt at once, as a reaper would after seeing
 * their leases unchanged for a whole lease: the store test's stand-in for
 * "their workers died long ago". Returns what it reaped.
 */
export async function reapAllRunning(engine: Engine, now: number) {
  return reapLeases(engine, await listRunningLeases(engine), now);
}
