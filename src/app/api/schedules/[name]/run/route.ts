import { getEngine } from '@/db/client';
import { registry } from '@/jobs';
import { readJobDetailJson } from '@/lib/jobs/json';
import { runScheduleAs } from '@/lib/jobs/schedule-actions';
import { withApi } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Enqueues the schedule's job now, counted as a run -> 201 with the job. */
export const POST = withApi<{ name: string }>(async (_request, { params, principal }) => {
  const engine = await getEngine();
  const job = await runScheduleAs(engine, registry, params.name, principal!.who);
  return Response.json(await readJobDetailJson(engine, job.id), { status: 201 });
}, { role: 'admin' });
