import { z } from 'zod';
import { getConfig } from '../../config/env';
import type { CronJobRow } from '../../db/schema';
import { redact } from '../../lib/jobs/json';

/** The schedule endpoints' bodies and their answer's shape; the changes are src/lib/jobs/schedule-actions.ts, as for `bin/jobs schedule`. */

export const scheduleBody = z.object({
  name: z.string().min(1).max(100),
  job: z.string().min(1).max(200),
  cron: z.string().min(1).max(200),
  timezone: z.string().min(1).max(100).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  description: z.string().max(1_000).optional(),
  misfire: z.enum(['skip', 'run-once']).optional(),
}).strict();

/**
 * What PATCH may change, each optional: enabled (an enabled schedule resumes from now; fires missed while
 * disabled are not run), and for an operator's schedule its cron, timezone, params, description (null clears it) and misfire.
 */
export const schedulePatch = z.object({
  enabled: z.boolean().optional(),
  cron: scheduleBody.shape.cron.optional(),
  timezone: z.string().min(1).max(100).optional(),
  params: scheduleBody.shape.params,
  description: z.string().max(1_000).nullable().optional(),
  misfire: scheduleBody.shape.misfire,
}).strict();

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A schedule as the API shows it: ISO times, a boolean, params parsed and masked. */
export function scheduleJson(row: CronJobRow) {
  return {
    name: row.name, job: row.jobName, cron: row.cron, timezone: row.timezone,
    params: redact(JSON.parse(row.params), getConfig().redactKeys), description: row.description,
    enabled: row.enabled === 1, misfire: row.misfire, source: row.source,
    lastRunAt: iso(row.lastRunAt), nextRunAt: iso(row.nextRunAt),
    runs: { total: row.runsTotal, completed: row.runsCompleted, failed: row.runsFailed, missed: row.runsMissed },
    createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt),
  };
}
