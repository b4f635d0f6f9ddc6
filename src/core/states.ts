/** The five states a job can be in; the last three are terminal. */
export const jobStates = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];

export const terminalStates: readonly JobState[] = ['completed', 'failed', 'cancelled'];

/**
 * Allowed transitions. The store is the only code that moves a job; this table
 * documents what its statements do and lets tests check them.
 */
export const transitions: Record<JobState, readonly JobState[]> = {
  pending: ['running', 'cancelled', 'failed'],
  running: ['completed', 'pending', 'failed', 'cancelled'],
  completed: [],
  failed: ['pending'],
  cancelled: ['pending'],
};

export function isTerminal(state: JobState): boolean {
  return terminalStates.includes(state);
}

export function isJobState(value: string): value is JobState {
  return (jobStates as readonly string[]).includes(value);
}

/**
 * The label people see: `pending` refined into blocked (waiting for the jobs
 * it depends on), paused (its queue is paused), throttled (waiting for a slot
 * of its concurrency key),
 * scheduled (waiting for its time) or retrying (waiting after a failed attempt).
 * @example displayState({ state: 'pending', attempts: 1, runAt: Date.now() + 5000 }, Date.now()) // 'retrying'
 */
export function displayState(job: { state: JobState; attempts: number; runAt: number; scheduled?: number }, now: number): string {
  if (job.state !== 'pending') return job.state;
  if (job.scheduled === 2) return 'paused';
  if (job.scheduled === 3) return 'blocked';
  if (job.scheduled === 4) return 'throttled';
  if (job.attempts > 0) return 'retrying';
  return job.runAt > now ? 'scheduled' : 'pending';
}
