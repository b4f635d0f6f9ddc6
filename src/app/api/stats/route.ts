import { getStats } from '@/server/api/stats';

export const dynamic = 'force-dynamic';

/** Counts, throughput, failure rate and run times: ?queue=&hours=24 -> StatsJson (src/lib/jobs/stats/types.ts). Either token. */
export const GET = getStats;
