import { getConfig } from '../../config/env';
import { nextFireAfter } from '../../core/cron';
import { JobsError } from '../../core/errors';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import type { CronJobRow } from '../../db/schema';
import { appendActivity, type Actor } from '../../store/activity';
import { addSchedule, getSchedule, removeSchedule, runScheduleNow, setScheduleEnabled, updateSchedule } from '../../store/cron';
import type { NewJob } from '../../store/enqueue';
import { buildNewJob } from './job-spec';
import type { JobRegistry } from './registry';
import { buildScheduleSpec, checkSchedulePatch, scheduleDefinitionFields, type ScheduleInput, type SchedulePatch } from './schedule-spec';

/**
 * The schedule changes a person asks for, the same from `bin/jobs schedule`
 * and the HTTP API: each checks its input, makes one store call, writes its
 * action-log entry with who asked, and rings the doorbell so that cron
 * pollers (or workers, for a run) hear of it at once.
 */

/** Pollers sleep until the next fire; tell them the schedules changed. */
function announce(engine: Engine): void {
  if (engine.kind === 'file') ringDoorbell(engine.location, 'schedules');
}

/** Adds an operator's schedule for the job named `input.job`, enabled from now; returns it as stored. */
export async function addScheduleAs(engine: Engine, registry: JobRegistry, input: ScheduleInput & { job: string }, who: Actor): Promise<CronJobRow> {
  const spec = buildScheduleSpec(registry.resolve(input.job), input, getConfig());
  const now = Date.now();
  await addSchedule(engine, spec, nextFireAfter(spec.cron, spec.timezone, now), now);
  await appendActivity(engine, { actor: who, action: 'schedule.add', target: spec.name, details: { job: spec.jobName, cron: spec.cron, timezone: spec.timezone } }, now);
  announce(engine);
  return getSchedule(engine, spec.name);
}

/** Turns a schedule on or off; enabled again, it resumes from now (fires missed while it was off are not run). Returns it as stored. */
export async function setScheduleEnabledAs(engine: Engine, name: string, enabled: boolean, who: Actor): Promise<CronJobRow> {
  const schedule = await getSchedule(engine, name);
  const now = Date.now();
  await setScheduleEnabled(engine, schedule.name, enabled, enabled ? nextFireAfter(schedule.cron, schedule.timezone, now) : null, now);
  await appendActivity(engine, { actor: who, action: enabled ? 'schedule.enable' : 'schedule.disable', target: schedule.name }, now);
  announce(engine);
  return getSchedule(engine, schedule.name);
}

/**
 * Changes an operator's schedule: its expression, timezone, params,
 * description or misfire policy, and whether it is enabled. A new timing
 * (or enabling it) moves its next run to the first fire after now. A
 * schedule declared in code may only be enabled or disabled: anything else is
 * a conflict, since the next poller start would sync it back from the code.
 * Returns it as stored.
 */
export async function updateScheduleAs(engine: Engine, registry: JobRegistry, name: string, patch: SchedulePatch, who: Actor): Promise<CronJobRow> {
  const redefined = scheduleDefinitionFields.filter((field) => patch[field] !== undefined);
  if (redefined.length === 0) {
    if (patch.enabled === undefined) throw new JobsError('bad_request', `Nothing to change: give enabled, ${scheduleDefinitionFields.join(', ')}`);
    return setScheduleEnabledAs(engine, name, patch.enabled, who);
  }
  const schedule = await getSchedule(engine, name);
  if (schedule.source === 'code') {
    throw new JobsError('conflict', `Schedule "${schedule.name}" is declared in code (the static schedule of the ${schedule.jobName} job): change its ${redefined.join(', ')} there; here it may only be enabled or disabled`);
  }
  const changes = checkSchedulePatch(schedule, patch, () => registry.resolve(schedule.jobName), getConfig());
  const now = Date.now();
  const retimed = changes.cron !== undefined || changes.timezone !== undefined || changes.enabled === true;
  const nextRunAt = retimed ? nextFireAfter(changes.cron ?? schedule.cron, changes.timezone ?? schedule.timezone, now) : undefined;
  await updateSchedule(engine, schedule.name, { ...changes, nextRunAt }, now);
  // Params and description are named, not shown: params may hold secrets the log would show unmasked, and a description runs long.
  const { params: _params, description: _description, ...shown } = changes;
  await appendActivity(engine, { actor: who, action: 'schedule.update', target: schedule.name, details: { changed: Object.keys(changes), ...shown } }, now);
  announce(engine);
  return getSchedule(engine, schedule.name);
}

/** Removes a schedule; the jobs it enqueued stay. */
export async function removeScheduleAs(engine: Engine, name: string, who: Actor): Promise<void> {
  await removeSchedule(engine, name);
  await appendActivity(engine, { actor: who, action: 'schedule.remove', target: name }, Date.now());
  announce(engine);
}

/** Enqueues the schedule's job now, counted as a run, and wakes the workers; returns the job as enqueued. */
export async function runScheduleAs(engine: Engine, registry: JobRegistry, name: string, who: Actor): Promise<NewJob> {
  const schedule = await getSchedule(engine, name);
  const now = Date.now();
  const job = { ...buildNewJob(registry.resolve(schedule.jobName), JSON.parse(schedule.params), {}, getConfig(), now), scheduleName: schedule.name };
  await runScheduleNow(engine, schedule.name, job, now);
  await appendActivity(engine, { actor: who, action: 'schedule.run', target: schedule.name, jobIds: [job.id] }, now);
  if (engine.kind === 'file') ringDoorbell(engine.location, 'ready');
  return job;
}
