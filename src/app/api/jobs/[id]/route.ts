import { getEngine } from '@/db/client';
import { readJobDetailJson } from '@/lib/jobs/json';
import { withApi } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** One job by id, unique prefix, short form or tail, with attemptHistory and progressHistory. */
export const GET = withApi<{ id: string }>(async (_request, { params }) => readJobDetailJson(await getEngine(), params.id), { role: 'read' });
