import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { runTimeBucketsMs, waitReasonOf } from '../../store/stats';
import { processMetricsRegistry } from './registry';
import type { MetricsSnapshot } from './snapshot';

/** The Content-Type of the Prometheus text format the scrape answers in. */
export const metricsContentType = Registry.PROMETHEUS_CONTENT_TYPE;

/** Histogram bucket bounds in seconds, Prometheus' unit: the stats' buckets (ms) / 1000. */
const bucketBoundsSeconds = runTimeBucketsMs.map((ms) => ms / 1000);

/**
 * The Prometheus text of one scrape: the database figures of `snapshot`, built
 * into a registry of their own (so two scrapes at once never share a value),
 * then this process's metrics. Each counter is an all-time total read from
 * job_totals, set once per scrape: it only grows, whichever process ran the jobs.
 */
export async function renderMetrics(snapshot: MetricsSnapshot): Promise<string> {
  const registry = new Registry();
  const registers = [registry];

  const processed = new Counter({
    name: 'fluent_jobs_processed_total', registers, labelNames: ['queue', 'name', 'outcome'] as const,
    help: 'Jobs that ended, by queue, job name and outcome (completed, failed, cancelled), whichever worker ran them',
  });
  const retries = new Counter({
    name: 'fluent_jobs_retries_total', registers, labelNames: ['queue', 'name'] as const,
    help: 'Attempts that failed and went back to wait for a retry',
  });
  for (const row of snapshot.totals) {
    const { queue, name } = row;
    for (const outcome of ['completed', 'failed', 'cancelled'] as const) processed.inc({ queue, name, outcome }, row[outcome]);
    retries.inc({ queue, name }, row.retried);
  }
  registry.registerMetric(runDurationHistogram(snapshot));

  const jobs = new Gauge({
    name: 'fluent_jobs_queue_jobs', registers, labelNames: ['queue', 'state', 'waiting'] as const,
    help: 'Jobs stored per queue and state; pending ones also by why they wait (waiting: ready, scheduled, paused, blocked, throttled)',
  });
  const oldest = new Gauge({
    name: 'fluent_jobs_queue_oldest_ready_age_seconds', registers, labelNames: ['queue'] as const,
    help: 'How long the job of the queue that has been ready (due, claimable) the longest has waited; 0 when none is ready',
  });
  const deadJobs = new Gauge({
    name: 'fluent_jobs_dead_worker_jobs', registers, labelNames: ['queue'] as const,
    help: 'Running jobs whose worker stopped heartbeating; a live worker takes them back once their lease has run out',
  });
  for (const queue of snapshot.queues) {
    for (const state of ['running', 'completed', 'failed', 'cancelled'] as const) jobs.set({ queue, state }, 0);
    for (const waiting of ['ready', 'scheduled', 'paused', 'blocked', 'throttled'] as const) jobs.set({ queue, state: 'pending', waiting }, 0);
    const readySince = snapshot.oldestReady.get(queue);
    // A job due by a clock ahead of the database's has not waited at all.
    oldest.set({ queue }, readySince === undefined ? 0 : Math.max(0, snapshot.now - readySince) / 1000);
    deadJobs.set({ queue }, 0);
  }
  for (const cell of snapshot.counts) {
    // Two codes read 'ready' (a rate-limited queue's due jobs too): their cells add up.
    if (cell.state === 'pending') jobs.inc({ queue: cell.queue, state: 'pending', waiting: waitReasonOf(cell.waiting) }, cell.n);
    else jobs.inc({ queue: cell.queue, state: cell.state }, cell.n);
  }
  for (const holding of snapshot.deadHoldings) deadJobs.inc({ queue: holding.queue }, holding.jobs);

  new Gauge({ name: 'fluent_jobs_workers_alive', registers, help: 'Workers that heartbeat (within two leases) and have not stopped' })
    .set(snapshot.liveWorkers);
  new Gauge({ name: 'fluent_jobs_workers_dead_holding_jobs', registers, help: 'Workers that stopped heartbeating without a clean stop and still hold running jobs' })
    .set(new Set(snapshot.deadHoldings.map((h) => h.workerId)).size);

  return Registry.merge([registry, processMetricsRegistry()]).metrics();
}

/**
 * Run times of completed jobs as a Prometheus histogram per queue and name.
 * prom-client's Histogram only counts what it observes in this process; these
 * buckets were counted in the database (job_totals), so the metric hands
 * prom-client's renderer the cumulative bucket counts itself.
 */
function runDurationHistogram(snapshot: MetricsSnapshot): Metric {
  const name = 'fluent_jobs_run_duration_seconds';
  const help = 'Run time of the last attempt of completed jobs, by queue and job name (buckets as in bin/jobs stats)';
  const values = snapshot.totals.flatMap((row) => {
    const labels = { queue: row.queue, name: row.name };
    let cumulative = 0;
    const buckets = bucketBoundsSeconds.map((le, i) => {
      cumulative += row.histogram[i] ?? 0;
      return { metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative };
    });
    const count = row.histogram.reduce((sum, n) => sum + n, 0);
    return [
      ...buckets,
      { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count },
      { metricName: `${name}_sum`, labels, value: row.runMsTotal / 1000 },
      { metricName: `${name}_count`, labels, value: count },
    ];
  });
  const metric = { name, help, type: 'histogram', aggregator: 'sum', get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values }) };
  return metric as unknown as Metric;
}
