import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { readBody } from '@/server/api/body';
import { clearRateLimit, rateLimitBody, setRateLimit } from '@/server/api/queues';

export const dynamic = 'force-dynamic';

/** {rate: "100/1m"} or {max, duration}: at most max starts in any window, across every worker -> the queue. */
export const PUT = withApi<{ name: string }>(async (request, { params, principal }) =>
  setRateLimit(await getEngine(), params.name, await readBody(request, rateLimitBody), principal!.who), { role: 'admin' });

/** Lifts the queue's rate limit (404 if it has none) -> the queue. */
export const DELETE = withApi<{ name: string }>(async (_request, { params, principal }) => clearRateLimit(await getEngine(), params.name, principal!.who), { role: 'admin' });
