import { getEngine } from '@/db/client';
import { readJobDetailJson } from '@/lib/jobs/json';
import { withApi } from '@/server/auth';
import { runScheduleBy } from '@/server/api/schedules';

export const dynamic = 'force-dynamic';

/** Enqueues the schedule's job now, counted as a run -> 201 with the job. */
export const POST = withApi<{ name: string }>(async (_request, { params, principal }) => {
  const engine = await getEngine();
  const id = await runScheduleBy(engine, params.name, principal!.who);
  return Response.json(await readJobDetailJson(engine, id), { status: 201 });
}, { role: 'admin' });
