import { z } from 'zod';
import { getEngine } from '@/db/client';
import { readJobsJson } from '@/lib/jobs/json';
import { paramSearchLimit } from '@/lib/jobs/param-filter';
import { withApi } from '@/server/auth';
import { readBody } from '@/server/api/body';
import { encodeCursor } from '@/server/api/cursor';
import { enqueueRequestOf } from '@/server/api/enqueue-body';
import { enqueueJob } from '@/server/api/job-actions';
import { jobFilterFromQuery } from '@/server/api/job-query';
import { listJobs, pageKeyOf } from '@/store/queries';

export const dynamic = 'force-dynamic';

/** Newest jobs first (newest finished first for one terminal state): ?state=&name=&queue=&param.<path>=&limit=&cursor= (or the legacy type=&status=&offset=) -> {jobs, nextCursor}. */
export const GET = withApi(async (request) => {
  const { filter, paramSearch } = jobFilterFromQuery(new URL(request.url));
  const engine = await getEngine();
  const rows = await listJobs(engine, filter);
  const nextCursor = rows.length === filter.limit ? encodeCursor(pageKeyOf(filter, rows[rows.length - 1])) : null;
  return { jobs: await readJobsJson(engine, rows), nextCursor, ...(paramSearch ? { paramSearchLimit } : {}) };
}, { role: 'read' });

/** Enqueues a job (ours or a legacy body): 201 with the job, or 200 with the live job its idempotencyKey names. */
export const POST = withApi(async (request, { principal }) => {
  const body = enqueueRequestOf(await readBody(request, z.unknown()));
  const { job, created } = await enqueueJob(await getEngine(), body, principal!.who);
  return Response.json(job, { status: created ? 201 : 200 });
}, { role: 'admin' });
