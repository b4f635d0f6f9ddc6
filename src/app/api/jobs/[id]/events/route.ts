import { jobEventsResponse } from '@/server/api/events';
import { withApi } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Server-Sent Events of one job (id, unique prefix, short form or tail) until it ends; Last-Event-ID resumes. */
export const GET = withApi<{ id: string }>(async (request, { params }) => jobEventsResponse(request, params.id), { role: 'read' });
