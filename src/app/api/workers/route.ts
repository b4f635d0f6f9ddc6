import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { workerJson } from '@/server/api/workers';
import { listWorkers } from '@/store/queries';

export const dynamic = 'force-dynamic';

/** The 200 workers heard from last -> {workers: [{id, host, pid, status: alive|dead|stopped, queues, ...}]}. */
export const GET = withApi(async () => {
  const now = Date.now();
  return { workers: (await listWorkers(await getEngine(), 200)).map((row) => workerJson(row, now)) };
}, { role: 'read' });
