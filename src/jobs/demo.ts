import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { Job } from '@/lib/jobs';

const demoParams = z
  .object({
    steps: z.number().int().min(0).max(10_000).default(10),
    delayMs: z.number().int().min(0).max(3_600_000).default(200),
    failTimes: z.number().int().min(0).default(0),
    message: z.string().max(1_000).optional(),
  })
  .strict();

export type DemoParams = z.input<typeof demoParams>;
export interface DemoResult {
  steps: number;
  attempt: number;
  message: string | null;
}

/**
 * For trying the system and for tests: `steps` steps of `delayMs` each, with
 * progress after each; its first `failTimes` attempts throw a retryable error.
 */
export class DemoJob extends Job<DemoParams, DemoResult> {
  static jobName = 'demo';
  static description = 'For trying the system: steps of delayMs each with progress; fails its first failTimes attempts';
  static params = demoParams;
  static options = { queue: 'default', backoff: { type: 'fixed' as const, delay: 100 } };

  protected async perform(input: DemoParams): Promise<DemoResult> {
    const { steps, delayMs, failTimes, message } = demoParams.parse(input);
    const { attempt } = this.context;
    // Logged first, so every attempt's start shows (tests read it to check concurrency limits).
    this.logger.info('starting', { steps, delayMs, attempt });
    if (attempt <= failTimes) throw new Error(`Demo failure ${attempt} of ${failTimes} (failTimes)`);
    for (let step = 1; step <= steps; step++) {
      await sleep(delayMs, undefined, { signal: this.signal });
      await this.updateProgress((step / steps) * 100, `Step ${step} of ${steps}`);
    }
    return { steps, attempt, message: message ?? null };
  }
}
