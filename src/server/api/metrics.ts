import { getConfig } from '../../config/env';
import { getEngine } from '../../db/client';
import { metricsContentType, renderMetrics } from '../../lib/metrics/render';
import { readMetricsSnapshot } from '../../lib/metrics/snapshot';
import { withApi } from '../auth';

/**
 * GET /api/metrics: the Prometheus text of the database's figures (as every
 * process wrote them) and of this web process. The scraper's token
 * (JOBS_METRICS_TOKEN) or either token; the scraper's token reads nothing else.
 */
export const getMetrics = withApi(async () => {
  const snapshot = await readMetricsSnapshot(await getEngine(), { leaseMs: getConfig().leaseMs });
  return new Response(await renderMetrics(snapshot), { headers: { 'Content-Type': metricsContentType } });
}, { role: 'metrics' });
