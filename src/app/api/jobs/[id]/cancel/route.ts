import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { cancelOneJob } from '@/server/api/job-actions';

export const dynamic = 'force-dynamic';

/** Cancels a pending job, or asks a running one's worker to stop it (409 if it already ended) -> {result, job}. */
export const POST = withApi<{ id: string }>(async (_request, { params, principal }) => cancelOneJob(await getEngine(), params.id, principal!.who), { role: 'admin' });

/** The NestJS service's spelling of the same. */
export const PATCH = POST;
