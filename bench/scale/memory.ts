import { startDrainChild, type DrainChild } from '../child-worker';
import { completionCounter, filledQueue, stopAll } from './drain-run';
import { rssBytes } from './proc-stat';
import { monotonicUs, type Window } from './profile-top';

export interface MemorySample {
  jobs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface MemoryResult {
  samples: MemorySample[];
  /** RSS at the last mark / RSS at the first (target: 1.20 or less). */
  ratio: number;
  /** The highest RSS the process reached (VmHWM) by the last mark. */
  peakRssBytes: number;
  jobsPerSec: number;
  /** From go to the last completion, for a CPU profile's samples. */
  window: Window;
}

/**
 * Row 5, "worker memory": one worker process (bench/scale/drain-child.ts, no
 * warm-up) drains max(marks) no-op jobs enqueued beforehand; each time its
 * reported completions pass a mark (and every first-mark step between, for the
 * curve), its RSS is read from /proc/<pid>/status (VmRSS) and its V8 heap in use
 * asked over IPC.
 */
export async function workerMemory(opts: { marks: number[]; concurrency: number; batch: number; nodeArgs?: string[] }): Promise<MemoryResult> {
  const marks = [...opts.marks].sort((a, b) => a - b);
  const total = marks[marks.length - 1];
  const step = marks[0];
  const points = new Set<number>(marks);
  for (let at = step; at < total; at += step) points.add(at);
  const pending = [...points].sort((a, b) => a - b);
  const queue = await filledQueue(total, opts.batch, 'memory');
  const samples: Promise<MemorySample>[] = [];
  let child: DrainChild | null = null;
  let peakRssBytes = 0;
  const counter = completionCounter(total, 30 * 60_000, (done) => {
    while (pending.length && done >= pending[0]) {
      const jobs = pending.shift()!;
      const rss = rssBytes(child!.pid); // now, before the next completions
      if (!pending.length) peakRssBytes = rssBytes(child!.pid, 'VmHWM');
      samples.push(child!.stats().then((s) => ({ jobs, rssBytes: rss, heapUsedBytes: s.memory.heapUsed })));
    }
  });
  try {
    child = await startDrainChild({ databaseUrl: queue.url, concurrency: opts.concurrency, warmupJobs: 0, timeClaims: false, nodeArgs: opts.nodeArgs, onCompleted: (k) => counter.hit(k) });
    const t0 = performance.now();
    const fromUs = monotonicUs();
    counter.arm();
    await child.go();
    await counter.done;
    const seconds = (performance.now() - t0) / 1000;
    const window = { fromUs, toUs: monotonicUs() };
    const got = await Promise.all(samples);
    return { samples: got, ratio: got[got.length - 1].rssBytes / got.find((s) => s.jobs === step)!.rssBytes, peakRssBytes, jobsPerSec: total / seconds, window };
  } finally {
    if (child) await stopAll([child]);
    queue.cleanUp();
  }
}
