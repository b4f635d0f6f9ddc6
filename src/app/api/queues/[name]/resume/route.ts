import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { resume } from '@/server/api/queues';

export const dynamic = 'force-dynamic';

/** Resumes a paused queue -> the queue, with how many jobs went back in line. */
export const POST = withApi<{ name: string }>(async (_request, { params, principal }) => resume(await getEngine(), params.name, principal!.who), { role: 'admin' });
