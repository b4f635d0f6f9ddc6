'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { JobsError } from '@/core/errors';
import { getEngine } from '@/db/client';
import { registry } from '@/jobs';
import { getSchedule } from '@/store/cron';
import { addScheduleAs, removeScheduleAs, runScheduleAs, setScheduleEnabledAs } from '@/lib/jobs/schedule-actions';
import { adminAction } from '../_lib/admin-action';

const name = z.string({ error: 'Give the schedule\'s name' }).trim().min(1, { error: 'Give the schedule\'s name' }).max(100, { error: 'The name is at most 100 characters' });
const oneSchedule = z.object({ name });

/** Reads the params box: empty is {}, otherwise a JSON object, else a bad_request the form shows. */
function readParams(text: string | undefined): Record<string, unknown> {
  if (!text || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JobsError('bad_request', `Params are not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new JobsError('bad_request', 'Params must be a JSON object, such as {"steps": 3}');
  return value as Record<string, unknown>;
}

const addForm = z.object({
  name,
  job: z.string({ error: 'Give the job name' }).trim().min(1, { error: 'Give the job name' }).max(200),
  cron: z.string({ error: 'Give a cron expression' }).trim().min(1, { error: 'Give a cron expression' }).max(200),
  timezone: z.string().trim().max(100).optional(),
  params: z.string().max(100_000).optional(),
});

/** Adds an operator's schedule (checked by addScheduleAs: a bad cron, timezone, job or params comes back as its message). */
export const addScheduleAction = adminAction(addForm, async (input, principal) => {
  const schedule = await addScheduleAs(await getEngine(), registry, {
    name: input.name, job: input.job, cron: input.cron, timezone: input.timezone || undefined, params: readParams(input.params),
  }, principal.who);
  revalidatePath('/admin/schedules');
  return { message: `Added schedule "${schedule.name}".`, name: schedule.name };
});

const enableForm = z.object({ name, enabled: z.enum(['true', 'false'], { error: 'enabled must be true or false' }) });

/** Enables (from now on) or disables a schedule. */
export const setScheduleEnabledAction = adminAction(enableForm, async ({ name: scheduleName, enabled }, principal) => {
  const schedule = await setScheduleEnabledAs(await getEngine(), scheduleName, enabled === 'true', principal.who);
  revalidatePath('/admin/schedules');
  return { message: schedule.enabled === 1 ? 'Enabled.' : 'Disabled.', jobId: null as string | null };
});

/** Enqueues the schedule's job now; the answer names the job, for a link to it. */
export const runScheduleAction = adminAction(oneSchedule, async ({ name: scheduleName }, principal) => {
  const job = await runScheduleAs(await getEngine(), registry, scheduleName, principal.who);
  revalidatePath('/admin/schedules');
  return { message: 'Enqueued job', jobId: job.id as string | null };
});

/** Removes an operator's schedule; one declared in code is refused (the next poller start would add it back). */
export const removeScheduleAction = adminAction(oneSchedule, async ({ name: scheduleName }, principal) => {
  const engine = await getEngine();
  const schedule = await getSchedule(engine, scheduleName);
  if (schedule.source === 'code') throw new JobsError('conflict', `Schedule "${schedule.name}" is declared in code (the ${schedule.jobName} job): remove it there`);
  await removeScheduleAs(engine, schedule.name, principal.who);
  revalidatePath('/admin/schedules');
  return { message: `Removed schedule "${schedule.name}".`, jobId: null as string | null };
});
