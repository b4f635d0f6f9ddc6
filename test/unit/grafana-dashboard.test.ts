import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '@/lib/metrics/render';
import type { MetricsSnapshot } from '@/lib/metrics/snapshot';
import { root } from '../helpers/processes';
import { parseScrape } from '../helpers/prometheus';

// deploy/grafana/fluent-jobs.json: importable, on a chosen Prometheus, and every query names a metric /api/metrics has.
const dashboard = JSON.parse(fs.readFileSync(path.join(root, 'deploy/grafana/fluent-jobs.json'), 'utf8'));
const panels: { title: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[] = dashboard.panels;

/** A scrape of one queue and name with every kind of figure in it. */
async function sampleScrape() {
  const snapshot: MetricsSnapshot = {
    now: Date.now(), queues: ['default'], liveWorkers: 1, oldestReady: new Map([['default', Date.now() - 1_000]]),
    totals: [{ queue: 'default', name: 'demo', completed: 3, failed: 1, cancelled: 0, retried: 2, runMsTotal: 30, histogram: [0, 0, 0, 3, ...Array(13).fill(0)] }],
    counts: [{ queue: 'default', state: 'pending', waiting: 0, n: 1 }], deadHoldings: [{ queue: 'default', workerId: 'w', jobs: 1 }],
  };
  return parseScrape(await renderMetrics(snapshot));
}

describe('the Grafana dashboard', () => {
  it('asks for its Prometheus data source and a queue, and every panel reads through that data source', () => {
    const variables = dashboard.templating.list;
    expect(variables).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(variables).toContainEqual(expect.objectContaining({ name: 'queue', type: 'query', includeAll: true, multi: true }));
    for (const panel of panels) {
      expect(panel.datasource.uid, panel.title).toBe('${datasource}');
      for (const target of panel.targets) expect(target.datasource.uid, panel.title).toBe('${datasource}');
    }
  });

  it('shows throughput, failure rate, p95 run time, queue depth and the oldest waiting age', () => {
    const titles = panels.map((p) => p.title).join(' | ');
    for (const word of [/Throughput/, /Failure rate/, /p95/, /Queue depth/, /Oldest ready job age/]) expect(titles).toMatch(word);
    const exprs = panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs).toContainEqual(expect.stringMatching(/^histogram_quantile\(0\.95, sum by \(le, name\) \(.*fluent_jobs_run_duration_seconds_bucket/));
  });

  it('names only metrics a scrape has, in balanced expressions', async () => {
    const scrape = await sampleScrape();
    for (const expr of panels.flatMap((p) => p.targets.map((t) => t.expr))) {
      const depth = [...expr].reduce((d, c) => (d < 0 ? d : d + (c === '(' ? 1 : c === ')' ? -1 : 0)), 0);
      expect(depth, expr).toBe(0);
      for (const [name] of expr.matchAll(/\b(fluent_jobs|process|nodejs)_[a-z_]+/g)) {
        const family = name.replace(/_(bucket|sum|count)$/, '');
        expect(scrape.type(family) ?? scrape.type(name), `${name} in ${expr}`).toBeDefined();
      }
    }
  });
});
