import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { queueJson } from '@/server/api/queues';
import { listQueues } from '@/store/queues';

export const dynamic = 'force-dynamic';

/** Every queue with live jobs, a pause or a rate limit -> {queues: [{queue, paused, pending, running, rateLimit}]}. */
export const GET = withApi(async () => ({ queues: (await listQueues(await getEngine())).map(queueJson) }), { role: 'read' });
