import type { ResultLine } from './harness';

const ours = 'fluentjobs';
/** The harness's bare SQLite queue (`--floor`): a limit to read ours against, never a peer to beat. */
const floor = 'floor';
/**
 * An extra named `before` or `before-<anything>` is an older checkout of ours
 * (`--extra "before=<checkout>/bench/peer.ts --peer-name before"`): shown
 * beside the floor with ours / it, never counted as a peer.
 */
const isBaseline = (system: string) => system === 'before' || system.startsWith('before-');
const peerLabels: Record<string, string> = { bullmq: 'BullMQ', plainjob: 'plainjob', graphile: 'graphile-worker' };

interface Figure {
  value: number;
  /** The row's param beyond the shared base (a peer's variant, e.g. poll=10ms), if any. */
  variant: string;
}

type Metric = 'jobs_per_sec' | 'p50_ms' | 'p99_ms';

/** Throughput rows compare jobs/s (higher is better); latency rows p50 and p99 ms (lower is better). */
const metricsOf = (workload: string): Metric[] => (workload === 'C_latency' ? ['p50_ms', 'p99_ms'] : ['jobs_per_sec']);
const isLatency = (metric: Metric) => metric !== 'jobs_per_sec';
const base = (param: string) => param.split(',')[0];
const variantOf = (param: string) => param.split(',').slice(1).join(',');
const better = (metric: Metric, a: number, b: number) => (isLatency(metric) ? a < b : a > b);

function format(metric: Metric, value: number | null | undefined): string {
  if (value === null || value === undefined) return 'failed';
  return isLatency(metric) ? `${value.toFixed(2)} ms` : `${Math.round(value)}/s`;
}

/**
 * One row per (workload, param, metric) we ran: our median, each peer's best
 * median among its rows with the same base param (e.g. plainjob's poll=10ms
 * row for C=1), the best peer, ours / best, and the floor with ours / floor.
 * Throughput rows compare jobs/s (ratio above 1: we are faster); latency rows
 * compare p50 and p99 ms (ratio below 1: we are quicker). The floor
 * (`--floor`) is never the best peer: it is no job system. `median` is the
 * harness's own (lib/util.mjs), so that our medians are its medians.
 */
export function compareTable(results: ResultLine[], median: (values: (number | null)[]) => number | null): string {
  const groups = new Map<string, ResultLine[]>();
  for (const r of results) {
    const key = `${r.peer}\t${r.workload}\t${r.param}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const figure = (rows: ResultLine[], metric: Metric): number | null => median(rows.filter((r) => !r.error).map((r) => r[metric]));
  const present = new Set(results.map((r) => r.peer));
  const peers = [...present].filter((p) => p !== ours && p !== floor && !isBaseline(p));
  const baselines = [...present].filter(isBaseline);
  const withFloor = present.has(floor);
  const header = ['workload', 'param', 'fluentjobs', ...peers.map((p) => peerLabels[p] ?? p), 'best peer', 'ours / best',
    ...(withFloor ? ['floor', 'ours / floor'] : []), ...baselines.flatMap((b) => [b, `ours / ${b}`])];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];

  /**
   * Each other system's best figure among its rows with the same workload and base param
   * (`exact`: the same param, as for an older checkout of ours, which runs our variants too).
   */
  const bestOf = (system: string, workload: string, param: string, metric: Metric, exact = false): Figure | undefined => {
    let held: Figure | undefined;
    for (const [key, rows] of groups) {
      const [other, otherWorkload, otherParam] = key.split('\t');
      if (other !== system || otherWorkload !== workload || (exact ? otherParam !== param : base(otherParam) !== base(param))) continue;
      const value = figure(rows, metric);
      if (value !== null && (!held || better(metric, value, held.value))) held = { value, variant: variantOf(otherParam) };
    }
    return held;
  };

  for (const [key, rows] of groups) {
    const [peer, workload, param] = key.split('\t');
    if (peer !== ours) continue;
    for (const metric of metricsOf(workload)) {
      const mine = figure(rows, metric);
      const bestOfPeer = new Map<string, Figure>();
      for (const other of peers) {
        const f = bestOf(other, workload, param, metric);
        if (f) bestOfPeer.set(other, f);
      }
      let best: { peer: string; figure: Figure } | null = null;
      for (const [other, f] of bestOfPeer) if (!best || better(metric, f.value, best.figure.value)) best = { peer: other, figure: f };
      const cell = (f: Figure | undefined) => (f ? `${format(metric, f.value)}${f.variant ? ` (${f.variant})` : ''}` : '–');
      const ratio = (to: Figure | undefined) => (mine !== null && to ? (mine / to.value).toFixed(2) : '–');
      const floorFigure = withFloor ? bestOf(floor, workload, param, metric) : undefined;
      lines.push(
        `| ${[
          workload,
          `${param}${isLatency(metric) ? `, ${metric.slice(0, 3)}` : ''}`,
          format(metric, mine),
          ...peers.map((p) => cell(bestOfPeer.get(p))),
          best ? `${peerLabels[best.peer] ?? best.peer}${best.figure.variant ? ` (${best.figure.variant})` : ''}` : '–',
          ratio(best?.figure),
          ...(withFloor ? [cell(floorFigure), ratio(floorFigure)] : []),
          ...baselines.flatMap((b) => {
            const f = bestOf(b, workload, param, metric, true);
            return [cell(f && { ...f, variant: '' }), ratio(f)]; // the row's own param: no variant to name
          }),
        ].join(' | ')} |`,
      );
    }
  }
  lines.push('', 'A and B: jobs/s, higher is better (ours / best > 1: we are faster).');
  lines.push('C: pickup latency p50 and p99, lower is better (ours / best < 1: we are quicker).');
  if (withFloor) {
    lines.push('floor: the harness\'s bare SQLite queue (--floor: no leases, attempts, retries or other processes), not a peer and never "best";');
    lines.push('  ours / floor is our share of it for A and B (1.00 = the floor), and how many times its latency for C.');
  }
  if (baselines.length) lines.push(`${baselines.join(', ')}: an older checkout of ours, run in the same invocation; not a peer and never "best".`);
  return lines.join('\n');
}
