import type { Config } from '../../config/env';
import { checkSchedule, misfirePolicies, nextFireAfter, type MisfirePolicy } from '../../core/cron';
import { JobsError } from '../../core/errors';
import { toJsonParams } from '../../core/json';
import type { ScheduleSpec } from '../../store/cron';
import type { JobClass } from './job';
import { checkParams } from './job-spec';
import { jobNameOf } from './job-name';
import type { JobRegistry } from './registry';

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
 * and params all valid (params pass the job's schema and the JSON rules), or
 * a bad_request / invalid_params error saying which is not.
 */
export function buildScheduleSpec(jobClass: JobClass, input: ScheduleInput, config: Config): ScheduleSpec {
  if (!/^[\w.:-]{1,100}$/.test(input.name)) throw new JobsError('bad_request', `Invalid schedule name "${input.name}": use letters, digits, . _ : -`);
  const timezone = input.timezone ?? 'UTC';
  checkSchedule(input.cron, timezone);
  const misfire = (input.misfire ?? 'skip') as MisfirePolicy;
  if (!misfirePolicies.includes(misfire)) throw new JobsError('bad_request', `Invalid misfire policy "${input.misfire}": use ${misfirePolicies.join(' or ')}`);
  const params = input.params ?? {};
  checkParams(jobClass, params);
  return {
    name: input.name,
    jobName: jobNameOf(jobClass),
    cron: input.cron.trim(),
    timezone,
    params: toJsonParams(params, config.maxParamsBytes),
    description: input.description ?? null,
    misfire,
  };
}

/** The schedules declared on the registry's classes (`static schedule`), checked; a bad one fails at start. */
export function codeSchedules(registry: JobRegistry, config: Config, now: number): { spec: ScheduleSpec; nextRunAt: number | null }[] {
  return registry.list().flatMap(({ name, jobClass }) => {
    const declared = jobClass.schedule;
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
