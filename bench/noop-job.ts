import { Job } from '../src/lib/jobs';
import type { BenchPayload } from './harness';

/**
 * Where the bench job reports its first line: the adapter (in-process worker)
 * or the latency child (over IPC) sets it before starting a worker.
 */
export const handlerHook: { onHandler: (t: number, payload: BenchPayload) => void } = {
  onHandler: () => {},
};

/** The harness's no-op job: notes when its handler starts, does nothing else. */
export class BenchNoopJob extends Job<BenchPayload, void> {
  static jobName = 'bench-noop';

  protected async perform(payload: BenchPayload): Promise<void> {
    handlerHook.onHandler(performance.now(), payload);
  }
}
