import { startDrainChild, type DrainChild } from '../child-worker';
import { checkDrainedFile, completionCounter, filledQueue, stopAll, type FileCheck } from './drain-run';
import type { DrainStats } from './drain-protocol';
import { maxOf, percentile } from './stats';

export interface DrainResult {
  procs: number;
  jobsPerSec: number;
  claims: number;
  claimP50Ms: number | null;
  claimP99Ms: number | null;
  claimMaxMs: number | null;
  /** Busy errors the workers' engines saw (claim, heartbeat, settle ...), each caught and retried. */
  busyErrors: number;
  errorLines: number;
  /** Busy (or other) errors that reached a job: settles not written, jobs not completed once or run twice, attempts with an error. */
  reachedJobs: number;
  check: FileCheck & { settleErrors: number; handledBeyondN: number };
}

/**
 * Row 3, "4 worker processes on one file": `n` no-op jobs enqueued (untimed), then
 * `procs` worker processes (bench/scale/drain-child.ts, each warmed up on a file of
 * its own first) are told to go at once and drain the file with concurrency `c`
 * each. The clock runs from `go` (so it includes the workers' start) to the last
 * completion reported. Each claim statement is timed inside its process.
 */
export async function drainWithProcesses(opts: { procs: number; concurrency: number; n: number; batch: number; warmup: number }): Promise<DrainResult> {
  const queue = await filledQueue(opts.n, opts.batch, `procs-${opts.procs}`);
  const counter = completionCounter(opts.n, 180_000);
  let children: DrainChild[] = [];
  try {
    children = await Promise.all(Array.from({ length: opts.procs }, () =>
      startDrainChild({ databaseUrl: queue.url, concurrency: opts.concurrency, warmupJobs: opts.warmup, timeClaims: true, onCompleted: (k) => counter.hit(k) })));
    const t0 = performance.now();
    counter.arm();
    await Promise.all(children.map((c) => c.go()));
    await counter.done;
    const seconds = (performance.now() - t0) / 1000;
    const stats: DrainStats[] = await Promise.all(children.map((c) => c.stats()));
    await stopAll(children);
    children = [];
    const check = await checkDrainedFile(queue.url);
    const sum = (f: (s: DrainStats) => number) => stats.reduce((total, s) => total + f(s), 0);
    const claimMs = stats.flatMap((s) => s.claimMs ?? []);
    const settleErrors = sum((s) => s.settleErrors);
    const handledBeyondN = Math.max(0, sum((s) => s.handled) - opts.n);
    return {
      procs: opts.procs,
      jobsPerSec: opts.n / seconds,
      claims: claimMs.length,
      claimP50Ms: percentile(claimMs, 50),
      claimP99Ms: percentile(claimMs, 99),
      claimMaxMs: maxOf(claimMs),
      busyErrors: sum((s) => s.busyErrors),
      errorLines: sum((s) => s.errorLines),
      reachedJobs: settleErrors + handledBeyondN + check.notCompleted + check.moreThanOneAttempt + check.badAttempts,
      check: { ...check, settleErrors, handledBeyondN },
    };
  } finally {
    await stopAll(children);
    queue.cleanUp();
  }
}
