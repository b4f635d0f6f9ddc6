import { allEventsResponse } from '@/server/api/events';
import { withApi } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Server-Sent Events of every job change (?queue=, ?name= narrow it); Last-Event-ID resumes. */
export const GET = withApi(async (request) => allEventsResponse(request), { role: 'read' });
