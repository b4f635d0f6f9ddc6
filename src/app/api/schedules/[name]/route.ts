import { getEngine } from '@/db/client';
import { registry } from '@/jobs';
import { removeScheduleAs, updateScheduleAs } from '@/lib/jobs/schedule-actions';
import { withApi } from '@/server/auth';
import { readBody } from '@/server/api/body';
import { schedulePatch, scheduleJson } from '@/server/api/schedules';
import { getSchedule } from '@/store/cron';

export const dynamic = 'force-dynamic';

export const GET = withApi<{ name: string }>(async (_request, { params }) => scheduleJson(await getSchedule(await getEngine(), params.name)), { role: 'read' });

/**
 * {enabled?, cron?, timezone?, params?, description?, misfire?} -> the schedule; a new timing or enabling it again
 * moves its next run to the first fire from now. 409 for anything but enabled on a schedule declared in code.
 */
export const PATCH = withApi<{ name: string }>(async (request, { params, principal }) =>
  scheduleJson(await updateScheduleAs(await getEngine(), registry, params.name, await readBody(request, schedulePatch), principal!.who)), { role: 'admin' });

/** Removes the schedule (the jobs it enqueued stay) -> {removed: name}. */
export const DELETE = withApi<{ name: string }>(async (_request, { params, principal }) => {
  await removeScheduleAs(await getEngine(), params.name, principal!.who);
  return { removed: params.name };
}, { role: 'admin' });
