import type { Engine } from '../../db/engine';
import { readDatabaseTime } from '../../store/clock';
import { foldBeforeReading } from '../../store/fold';
import {
  countLiveWorkers, oldestReadyAt, readAllJobCounts, readDeadWorkerHoldings, readJobTotals,
  type CountCell, type DeadHolding, type ReadyCode, type TotalsRow,
} from '../../store/metrics';

/** Everything one scrape of GET /api/metrics shows from the database, read at one moment. */
export interface MetricsSnapshot {
  /** The database's clock (epoch ms), which heartbeats and run times are written on. */
  now: number;
  totals: TotalsRow[];
  counts: CountCell[];
  /** Per queue with a ready job, since when (its run-at, epoch ms) the longest-waiting one has been due. */
  oldestReady: Map<string, number>;
  /** Every queue that job_counts knows, by name: the queues of the per-queue gauges. */
  queues: string[];
  liveWorkers: number;
  deadHoldings: DeadHolding[];
}

/**
 * Read-only for jobs. Folds the change feed first (as every stats read does),
 * so the counters include every job that ended before the scrape, whichever
 * process ran it; then a few small reads, and for each queue with a ready job
 * one statement of index seeks (store/metrics.ts oldestReadyAt).
 */
export async function readMetricsSnapshot(engine: Engine, options: { leaseMs: number }): Promise<MetricsSnapshot> {
  await foldBeforeReading(engine);
  const now = await readDatabaseTime(engine);
  const counts = await readAllJobCounts(engine);
  const queues = [...new Set(counts.map((c) => c.queue))];
  const oldestReady = new Map<string, number>();
  for (const queue of queues) {
    // Seeks only the claim index of the codes job_counts says have ready jobs: an idle queue costs nothing.
    const codes = counts.filter((c) => c.queue === queue && c.state === 'pending' && c.n > 0 && (c.waiting === 0 || c.waiting === 5)).map((c) => c.waiting as ReadyCode);
    const readySince = codes.length ? await oldestReadyAt(engine, queue, codes) : null;
    if (readySince !== null) oldestReady.set(queue, readySince);
  }
  return {
    now, totals: await readJobTotals(engine), counts, oldestReady, queues,
    liveWorkers: await countLiveWorkers(engine, now, options.leaseMs),
    deadHoldings: await readDeadWorkerHoldings(engine, now, options.leaseMs),
  };
}
