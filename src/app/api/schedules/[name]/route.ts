import { getEngine } from '@/db/client';
import { removeScheduleAs, setScheduleEnabledAs } from '@/lib/jobs/schedule-actions';
import { withApi } from '@/server/auth';
import { readBody } from '@/server/api/body';
import { schedulePatch, scheduleJson } from '@/server/api/schedules';
import { getSchedule } from '@/store/cron';

export const dynamic = 'force-dynamic';

export const GET = withApi<{ name: string }>(async (_request, { params }) => scheduleJson(await getSchedule(await getEngine(), params.name)), { role: 'read' });

/** {enabled: true|false} -> the schedule; enabled again, it resumes from now. */
export const PATCH = withApi<{ name: string }>(async (request, { params, principal }) =>
  scheduleJson(await setScheduleEnabledAs(await getEngine(), params.name, (await readBody(request, schedulePatch)).enabled, principal!.who)), { role: 'admin' });

/** Removes the schedule (the jobs it enqueued stay) -> {removed: name}. */
export const DELETE = withApi<{ name: string }>(async (_request, { params, principal }) => {
  await removeScheduleAs(await getEngine(), params.name, principal!.who);
  return { removed: params.name };
}, { role: 'admin' });
