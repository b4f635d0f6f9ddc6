import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { pause } from '@/server/api/queues';

export const dynamic = 'force-dynamic';

/** Pauses a queue (persisted): no worker takes its jobs until it is resumed -> the queue, with how many jobs it parked. */
export const POST = withApi<{ name: string }>(async (_request, { params, principal }) => pause(await getEngine(), params.name, principal!.who), { role: 'admin' });
