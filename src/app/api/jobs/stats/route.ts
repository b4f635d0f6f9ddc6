import { getStats } from '@/server/api/stats';

export const dynamic = 'force-dynamic';

/** The NestJS jobs service's GET /api/jobs/stats: the same answer as GET /api/stats (a static segment, so never a lookup of a job "stats"). */
export const GET = getStats;
