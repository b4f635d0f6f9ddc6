import { parseDuration } from '../../core/duration';
import type { Engine } from '../../db/engine';
import { CleanupJob, type CleanupParams, type CleanupResult } from '../../jobs/builtin/cleanup';
import { appendActivity, type Actor } from '../../store/activity';
import { runNow } from './run-now';

/**
 * Runs the built-in cleanup here and now (finished jobs past their retention,
 * or past the ages given, and stats minutes older than 7 days) and writes one
 * action-log entry with who asked and what went: `bin/jobs cleanup` and the
 * admin page's Clean up both come here. A bad age is refused before anything
 * is deleted.
 */
export async function cleanupAs(engine: Engine, ages: CleanupParams, who: Actor): Promise<CleanupResult> {
  for (const age of [ages.completedOlderThan, ages.failedOlderThan]) if (age !== undefined) parseDuration(age);
  const { data } = await runNow(CleanupJob, ages);
  await appendActivity(engine, { actor: who, action: 'cleanup', jobCount: data.completedDeleted + data.failedDeleted, details: { ...data } }, Date.now());
  return data;
}
