import type { Config } from '../../config/env';
import { checkSchedule, misfirePolicies, nextFireAfter, type MisfirePolicy } from '../../core/cron';
import { JobsError } from '../../core/errors';
import type { ScheduleChanges, ScheduleSpec } from '../../store/cron';
import type { JobClass } from './job';
import { prepareParams } from './job-spec';
import { jobNameOf } from './job-name';
import type { JobRegistry } from './registry';
import type { CodeSchedule } from './types';

export interface ScheduleInput {
  name: string;
  cron: string;
  timezone?: string;
  params?: unknown;
  description?: string | null;
  misfire?: string;
}

/**
 * A checked schedule for a job class: the name, expression, timezone, policy
 * and params all valid (params pass the job's schema and the JSON rules, and
 * are encrypted where the class's `static encrypt` says), or
 * a bad_request / invalid_params error saying which is not.
 */
export function buildScheduleSpec(jobClass: JobClass, input: ScheduleInput, config: Config): ScheduleSpec {
  if (!/^[\w.:-]{1,100}$/.test(input.name)) throw new JobsError('bad_request', `Invalid schedule name "${input.name}": use letters, digits, . _ : -`);
  const timezone = input.timezone ?? 'UTC';
  checkSchedule(input.cron, timezone);
  const misfire = checkMisfire(input.misfire ?? 'skip');
  // Stored as a job's would be, encrypted where the class says: each fire's job gets them as they are stored.
  const params = prepareParams(jobClass, input.params ?? {}, config).json;
  return {
    name: input.name,
    jobName: jobNameOf(jobClass),
    cron: input.cron.trim(),
    timezone,
    params,
    description: input.description ?? null,
    misfire,
  };
}

function checkMisfire(value: string): MisfirePolicy {
  if (!misfirePolicies.includes(value as MisfirePolicy)) throw new JobsError('bad_request', `Invalid misfire policy "${value}": use ${misfirePolicies.join(' or ')}`);
  return value as MisfirePolicy;
}

/** A change to a schedule as a person asks for it; a field left out stays as it is, a null description clears it. */
export type SchedulePatch = Partial<Omit<ScheduleInput, 'name'>> & { enabled?: boolean };

/** The fields of a patch that redefine a schedule (all but enabled): a schedule declared in code takes these from its class only. */
export const scheduleDefinitionFields = ['cron', 'timezone', 'params', 'description', 'misfire'] as const;

/**
 * A patch checked against the schedule it changes: the new expression read in
 * the new (or current) timezone and the reverse, the params against the job's
 * schema and the JSON rules (`jobClass` is asked for only when params change),
 * the policy known. A bad_request / invalid_params / unknown_job error says
 * which is not. The next run is left to the caller, who knows the clock.
 */
export function checkSchedulePatch(current: { cron: string; timezone: string }, patch: SchedulePatch, jobClass: () => JobClass, config: Config): Omit<ScheduleChanges, 'nextRunAt'> {
  const changes: Omit<ScheduleChanges, 'nextRunAt'> = {};
  if (patch.cron !== undefined || patch.timezone !== undefined) {
    const cron = (patch.cron ?? current.cron).trim();
    const timezone = patch.timezone ?? current.timezone;
    checkSchedule(cron, timezone);
    if (patch.cron !== undefined) changes.cron = cron;
    if (patch.timezone !== undefined) changes.timezone = timezone;
  }
  if (patch.misfire !== undefined) changes.misfire = checkMisfire(patch.misfire);
  if (patch.params !== undefined) {
    changes.params = prepareParams(jobClass(), patch.params, config).json;
  }
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.enabled !== undefined) changes.enabled = patch.enabled;
  return changes;
}

/** The schedule a class declares under this configuration (`static schedule`, called if it is a function), or undefined. */
export function declaredSchedule(jobClass: JobClass, config: Config): CodeSchedule | undefined {
  const declared = jobClass.schedule;
  return typeof declared === 'function' ? declared(config) : declared;
}

/**
 * The schedules declared on the registry's classes (`static schedule`) under
 * this configuration, checked; a bad one fails at start. A class whose
 * function returns none has none: syncCodeSchedules then removes its row.
 */
export function codeSchedules(registry: JobRegistry, config: Config, now: number): { spec: ScheduleSpec; nextRunAt: number | null }[] {
  return registry.list().flatMap(({ name, jobClass }) => {
    const declared = declaredSchedule(jobClass, config);
    if (!declared) return [];
    try {
      const spec = buildScheduleSpec(jobClass, {
        name: declared.name ?? name, cron: declared.cron, timezone: declared.tz, params: declared.params,
        description: declared.description, misfire: declared.misfire,
      }, config);
      return [{ spec, nextRunAt: nextFireAfter(spec.cron, spec.timezone, now) }];
    } catch (error) {
      throw new Error(`The schedule on ${jobClass.name} is invalid: ${(error as Error).message}`);
    }
  });
}
