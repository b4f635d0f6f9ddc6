import { getMetrics } from '@/server/api/metrics';

export const dynamic = 'force-dynamic';

/** Prometheus text format: job counters, run-time histograms, queue depth, workers, process metrics. The metrics token or either token. */
export const GET = getMetrics;
