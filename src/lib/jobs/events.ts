import { EventEmitter } from 'node:events';
import type { LogLine } from '../../core/outcome';

export interface JobEventMap {
  'job.enqueued': { jobId: string; jobName: string; queue: string; runAt: number };
  'job.scheduled': { jobId: string; jobName: string; queue: string; runAt: number };
  'job.started': { jobId: string; jobName: string; attempt: number; workerId: string | null };
  'job.progress': { jobId: string; jobName: string; percent: number; message: string | null };
  'job.log': { jobId: string; jobName: string; attempt: number; line: LogLine };
  'job.completed': { jobId: string; jobName: string; attempt: number; durationMs: number };
  'job.retrying': { jobId: string; jobName: string; attempt: number; error: string; nextRunAt: number };
  'job.failed': { jobId: string; jobName: string; attempt: number; error: string; timedOut: boolean };
  'job.cancelled': { jobId: string; jobName: string; attempt: number };
  'job.lease_lost': { jobId: string; jobName: string; workerId: string };
}
export type JobEventName = keyof JobEventMap;

class JobEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  on<E extends JobEventName>(event: E, listener: (payload: JobEventMap[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** A listener that throws is reported, never allowed to break the job's transition. */
  emit<E extends JobEventName>(event: E, payload: JobEventMap[E]): void {
    if (this.emitter.listenerCount(event) === 0) return;
    try {
      this.emitter.emit(event, payload);
    } catch (error) {
      console.error(`[fluent-jobs] a ${event} listener threw:`, error);
    }
  }
}

const holder = globalThis as unknown as { __fluentJobsEvents?: JobEvents };

/** In-process job events: `jobEvents.on('job.completed', ({ jobId }) => ...)` returns an unsubscribe function. */
export const jobEvents: JobEvents = (holder.__fluentJobsEvents ??= new JobEvents());
