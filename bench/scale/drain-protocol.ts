/** What bench/scale/drain-child.ts counts and reports when asked. */
export interface DrainStats {
  /** Handler starts (each no-op job's first line). */
  handled: number;
  /** job.completed events: completions the store confirmed. */
  completed: number;
  /** Engine calls that failed with database_busy, whoever caught them (a claim, heartbeat or settle that was retried). */
  busyErrors: number;
  /** Lines the worker logged as errors (claiming, settling, heartbeat ... failed). */
  errorLines: number;
  /** Of those, settles that could not be written: each one's job runs again once its lease runs out. */
  settleErrors: number;
  /** Wall time (ms) of each claim statement since the worker started, if timed. */
  claimMs: number[] | null;
  cpuUsage: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
}

export type DrainChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'started' }
  | { type: 'completed'; n: number }
  | { type: 'stats'; stats: DrainStats };

export type DrainParentMessage = { type: 'go' } | { type: 'stats' };
