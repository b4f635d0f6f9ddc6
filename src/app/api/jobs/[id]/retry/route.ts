import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { retryJob } from '@/server/api/job-actions';

export const dynamic = 'force-dynamic';

/** A failed or cancelled job back to pending (409 otherwise) -> the job's detail. */
export const POST = withApi<{ id: string }>(async (_request, { params, principal }) => retryJob(await getEngine(), params.id, principal!.who), { role: 'admin' });
