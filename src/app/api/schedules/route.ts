import { getEngine } from '@/db/client';
import { registry } from '@/jobs';
import { addScheduleAs } from '@/lib/jobs/schedule-actions';
import { withApi } from '@/server/auth';
import { readBody } from '@/server/api/body';
import { scheduleBody, scheduleJson } from '@/server/api/schedules';
import { listSchedules } from '@/store/cron';

export const dynamic = 'force-dynamic';

/** Every schedule, by name -> {schedules}. */
export const GET = withApi(async () => ({ schedules: (await listSchedules(await getEngine())).map(scheduleJson) }), { role: 'read' });

/** {name, job, cron, timezone?, params?, description?, misfire?} -> 201 schedule (409 if the name is taken). */
export const POST = withApi(async (request, { principal }) =>
  Response.json(scheduleJson(await addScheduleAs(await getEngine(), registry, await readBody(request, scheduleBody), principal!.who)), { status: 201 }), { role: 'admin' });
