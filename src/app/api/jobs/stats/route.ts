import { withApi } from '@/server/auth';
import { errorJson } from '@/server/http-errors';

export const dynamic = 'force-dynamic';

/** The NestJS service's GET /api/jobs/stats: not built yet (it will answer what GET /api/stats does), so 501, never a job lookup of "stats". */
export const GET = withApi(async () => errorJson(501, 'not_implemented', 'Job statistics are not available yet'), { role: 'read' });
