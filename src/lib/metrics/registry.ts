import { collectDefaultMetrics, Registry } from 'prom-client';

const holder = globalThis as unknown as { __fluentJobsProcessMetrics?: Registry };

/**
 * This process's own metrics (prom-client's default process and Node.js
 * metrics: CPU, memory, event-loop lag, handles), registered once per process
 * on globalThis: Next.js dev reloads evaluate this module again, and a second
 * collectDefaultMetrics on the same registry would throw on duplicate names.
 */
export function processMetricsRegistry(): Registry {
  if (!holder.__fluentJobsProcessMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    holder.__fluentJobsProcessMetrics = registry;
  }
  return holder.__fluentJobsProcessMetrics;
}
