import { z } from 'zod';
import { defaults } from '@/config/defaults';
import { getConfig } from '@/config/env';
import { parseDuration } from '@/core/duration';
import { getEngine } from '@/db/client';
import { deleteFinishedJobs } from '@/store/cleanup';
import { pruneJobMinutes } from '@/store/stats';
import { Job } from '@/lib/jobs';

const cleanupParams = z
  .object({
    /** Default JOBS_CLEAN_COMPLETED_AFTER (1d). */
    completedOlderThan: z.string().optional(),
    /** Default JOBS_CLEAN_FAILED_AFTER (7d); cancelled jobs go with failed ones. */
    failedOlderThan: z.string().optional(),
  })
  .strict();

export type CleanupParams = z.input<typeof cleanupParams>;
export interface CleanupResult {
  completedDeleted: number;
  failedDeleted: number;
  /** Per-minute stats rows deleted: older than statsMinutesKeptMs (7 days), the longest window stats show. */
  statsMinutesDeleted: number;
}

/**
 * Built in: deletes finished jobs past their retention, with their attempts
 * and progress history, and the per-minute stats rows older than 7 days
 * (the triggers add them on every job end, and nothing else removes them).
 * Runs hourly from its schedule, and by hand with `bin/jobs cleanup`.
 */
export class CleanupJob extends Job<CleanupParams, CleanupResult> {
  static jobName = 'cleanup';
  static description = 'Deletes finished jobs past their retention (hourly, and by bin/jobs cleanup)';
  static params = cleanupParams;
  static options = { queue: 'maintenance', priority: 'low' as const, maxAttempts: 3, timeout: '10m' };
  static schedule = { cron: '0 * * * *', description: 'Deletes finished jobs past JOBS_CLEAN_COMPLETED_AFTER / JOBS_CLEAN_FAILED_AFTER' };

  protected async perform(params: CleanupParams): Promise<CleanupResult> {
    const config = getConfig();
    const now = Date.now();
    const completedMs = params.completedOlderThan ? parseDuration(params.completedOlderThan) : config.cleanCompletedAfterMs;
    const failedMs = params.failedOlderThan ? parseDuration(params.failedOlderThan) : config.cleanFailedAfterMs;
    const engine = await getEngine();
    const completedDeleted = await deleteFinishedJobs(engine, ['completed'], now - completedMs);
    await this.updateProgress(50, `deleted ${completedDeleted} completed jobs`);
    const failedDeleted = await deleteFinishedJobs(engine, ['failed', 'cancelled'], now - failedMs);
    const statsMinutesDeleted = await pruneJobMinutes(engine, now - defaults.statsMinutesKeptMs);
    this.logger.info('cleanup done', { completedDeleted, failedDeleted, statsMinutesDeleted });
    return { completedDeleted, failedDeleted, statsMinutesDeleted };
  }
}
