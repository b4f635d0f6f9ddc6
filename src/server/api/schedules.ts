import { z } from 'zod';
import { getConfig } from '../../config/env';
import { nextFireAfter } from '../../core/cron';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import type { CronJobRow } from '../../db/schema';
import { registry } from '../../jobs';
import { buildNewJob } from '../../lib/jobs/job-spec';
import { buildScheduleSpec } from '../../lib/jobs/schedule-spec';
import { redact } from '../../lib/jobs/json';
import { appendActivity, type Actor } from '../../store/activity';
import { addSchedule, getSchedule, removeSchedule, runScheduleNow, setScheduleEnabled } from '../../store/cron';

/** The schedule endpoints' bodies and changes: the same store calls as `bin/jobs schedule`. */

export const scheduleBody = z.object({
  name: z.string().min(1).max(100),
  job: z.string().min(1).max(200),
  cron: z.string().min(1).max(200),
  timezone: z.string().min(1).max(100).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  description: z.string().max(1_000).optional(),
  misfire: z.enum(['skip', 'run-once']).optional(),
}).strict();

/** What PATCH may change: enabled (an enabled schedule resumes from now; fires missed while disabled are not run). */
export const schedulePatch = z.object({ enabled: z.boolean() }).strict();

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

/** Pollers sleep until the next fire; tell them the schedules changed. */
function announce(engine: Engine): void {
  if (engine.kind === 'file') ringDoorbell(engine.location, 'schedules');
}

export async function addScheduleFrom(engine: Engine, body: z.output<typeof scheduleBody>, who: Actor) {
  const spec = buildScheduleSpec(registry.resolve(body.job), { ...body, params: body.params ?? {} }, getConfig());
  const now = Date.now();
  await addSchedule(engine, spec, nextFireAfter(spec.cron, spec.timezone, now), now);
  await appendActivity(engine, { actor: who, action: 'schedule.add', target: spec.name, details: { job: spec.jobName, cron: spec.cron, timezone: spec.timezone } }, now);
  announce(engine);
  return scheduleJson(await getSchedule(engine, spec.name));
}

export async function setEnabled(engine: Engine, name: string, enabled: boolean, who: Actor) {
  const schedule = await getSchedule(engine, name);
  const now = Date.now();
  await setScheduleEnabled(engine, name, enabled, enabled ? nextFireAfter(schedule.cron, schedule.timezone, now) : null, now);
  await appendActivity(engine, { actor: who, action: enabled ? 'schedule.enable' : 'schedule.disable', target: name }, now);
  announce(engine);
  return scheduleJson(await getSchedule(engine, name));
}

export async function removeScheduleBy(engine: Engine, name: string, who: Actor): Promise<void> {
  await removeSchedule(engine, name);
  await appendActivity(engine, { actor: who, action: 'schedule.remove', target: name }, Date.now());
  announce(engine);
}

/** Enqueues the schedule's job now, counted as a run; returns the new job's id. */
export async function runScheduleBy(engine: Engine, name: string, who: Actor): Promise<string> {
  const schedule = await getSchedule(engine, name);
  const now = Date.now();
  const job = { ...buildNewJob(registry.resolve(schedule.jobName), JSON.parse(schedule.params), {}, getConfig(), now), scheduleName: schedule.name };
  await runScheduleNow(engine, schedule.name, job, now);
  await appendActivity(engine, { actor: who, action: 'schedule.run', target: schedule.name, jobIds: [job.id] }, now);
  if (engine.kind === 'file') ringDoorbell(engine.location, 'ready');
  return job.id;
}
