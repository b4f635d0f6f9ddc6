import type { Config } from '../../config/env';
import { retryDelayMs } from '../../core/backoff';
import type { ErrorInfo } from '../../core/outcome';
import type { Engine } from '../../db/engine';
import type { ClaimedJob } from '../../store/rows';
import { completeJob, endJob, retryJob, type AttemptOwner, type EndState } from '../../store/finish';
import { jobEvents } from './events';
import type { AttemptResult } from './execute';
import type { JobClass } from './job';
import { resolveBackoff } from './job-spec';
import type { Clock } from './shared-clock';

export type SettledState = 'completed' | 'retrying' | 'failed' | 'cancelled' | 'released' | 'lost';

export interface Settled {
  state: SettledState;
  /** For a retry: when it runs, on the shared clock. */
  nextRunAt?: number;
}

/**
 * The one place an attempt's outcome becomes a store transition and an event.
 * completed -> completed; failed or timed out -> pending again after backoff
 * while attempts remain and the error is retryable, else failed; cancelled ->
 * cancelled; interrupted by shutdown -> pending at once, the attempt given
 * back. A job someone asked to cancel meanwhile ends cancelled whatever the
 * attempt came to, unless it completed. A lost lease writes nothing, because
 * the job belongs to another attempt now.
 */
export async function settleAttempt(
  engine: Engine,
  config: Config,
  job: ClaimedJob,
  jobClass: JobClass | undefined,
  owner: AttemptOwner,
  run: AttemptResult,
  clock: Clock,
): Promise<Settled> {
  const now = clock.now();
  const base = { jobId: job.id, jobName: job.name, attempt: job.attempts };
  const { outcome, logs } = run;
  /** The event for where the store says the job went. */
  const ended = (state: EndState | null, error?: ErrorInfo, timedOut = false): Settled => {
    if (state === null) {
      jobEvents.emit('job.lease_lost', { jobId: job.id, jobName: job.name, workerId: owner.workerId });
      return { state: 'lost' };
    }
    if (state === 'cancelled') {
      jobEvents.emit('job.cancelled', base);
      return { state: 'cancelled' };
    }
    if (state === 'failed') {
      jobEvents.emit('job.failed', { ...base, error: error?.message ?? '', timedOut });
      return { state: 'failed' };
    }
    if (state === 'completed') {
      jobEvents.emit('job.completed', { ...base, durationMs: run.durationMs });
      return { state: 'completed' };
    }
    return { state: 'released' };
  };

  switch (outcome.kind) {
    case 'completed': {
      const result = outcome.result === undefined ? null : JSON.stringify(outcome.result);
      return ended(await completeJob(engine, owner, { result, now, logs, scheduleName: job.scheduleName }));
    }
    case 'failed':
    case 'timed_out': {
      const retryable = outcome.kind === 'timed_out' || outcome.retryable;
      const timedOut = outcome.kind === 'timed_out';
      if (retryable && job.attempts < job.maxAttempts) {
        const askedDelay = outcome.kind === 'failed' ? outcome.retryDelayMs : undefined;
        const nextRunAt = now + (askedDelay ?? retryDelayMs(resolveBackoff(job.backoff, jobClass, config), job.attempts));
        const state = await retryJob(engine, owner, { outcome: outcome.kind, error: outcome.error, runAt: nextRunAt, now, logs });
        if (state !== 'pending') return ended(state, outcome.error, timedOut);
        jobEvents.emit('job.retrying', { ...base, error: outcome.error.message, nextRunAt });
        return { state: 'retrying', nextRunAt };
      }
      const state = await endJob(engine, owner, { state: 'failed', outcome: outcome.kind, error: outcome.error, now, logs, scheduleName: job.scheduleName });
      return ended(state, outcome.error, timedOut);
    }
    case 'cancelled':
      return ended(await endJob(engine, owner, { state: 'cancelled', outcome: 'cancelled', error: outcome.error, now, logs }));
    case 'interrupted':
      return ended(await retryJob(engine, owner, { outcome: 'interrupted', error: outcome.error, runAt: now, now, logs }));
    case 'lease_lost':
      return ended(null);
  }
}
