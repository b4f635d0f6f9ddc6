import { loadUtil, type ResultLine } from './harness';

const ours = 'fluentjobs';
const peerLabels: Record<string, string> = { bullmq: 'BullMQ', plainjob: 'plainjob', graphile: 'graphile-worker' };

interface Figure {
  value: number;
  /** The row's param beyond the shared base (a peer's variant, e.g. poll=10ms), if any. */
  variant: string;
}

/** Latency rows compare p50 (lower is better); the others jobs/s (higher is better). */
const isLatency = (workload: string) => workload === 'C_latency';
const base = (param: string) => param.split(',')[0];
const variantOf = (param: string) => param.split(',').slice(1).join(',');
const better = (workload: string, a: number, b: number) => (isLatency(workload) ? a < b : a > b);

function format(workload: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return 'failed';
  return isLatency(workload) ? `${value.toFixed(2)} ms` : `${Math.round(value)}/s`;
}

/**
 * One row per (workload, param) we ran: our median, each peer's best median
 * among its rows with the same base param (e.g. plainjob's poll=10ms row for
 * C=1), the best peer, and ours / best. Throughput rows compare jobs/s (ratio
 * above 1: we are faster); latency rows compare p50 ms (ratio below 1: we are
 * quicker).
 */
export async function compareTable(results: ResultLine[], peersDir: string): Promise<string> {
  const { median } = await loadUtil(peersDir);
  const groups = new Map<string, ResultLine[]>();
  for (const r of results) {
    const key = `${r.peer}\t${r.workload}\t${r.param}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const figure = (rows: ResultLine[]): number | null => {
    const ok = rows.filter((r) => !r.error);
    return median(ok.map((r) => (isLatency(r.workload) ? r.p50_ms : r.jobs_per_sec)));
  };
  const peers = [...new Set(results.map((r) => r.peer))].filter((p) => p !== ours);
  const header = ['workload', 'param', 'fluentjobs', ...peers.map((p) => peerLabels[p] ?? p), 'best peer', 'ours / best'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];

  for (const [key, rows] of groups) {
    const [peer, workload, param] = key.split('\t');
    if (peer !== ours) continue;
    const mine = figure(rows);
    const bestOfPeer = new Map<string, Figure>();
    for (const [otherKey, otherRows] of groups) {
      const [other, otherWorkload, otherParam] = otherKey.split('\t');
      if (other === ours || otherWorkload !== workload || base(otherParam) !== base(param)) continue;
      const value = figure(otherRows);
      if (value === null) continue;
      const held = bestOfPeer.get(other);
      if (!held || better(workload, value, held.value)) bestOfPeer.set(other, { value, variant: variantOf(otherParam) });
    }
    let best: { peer: string; figure: Figure } | null = null;
    for (const [other, f] of bestOfPeer) if (!best || better(workload, f.value, best.figure.value)) best = { peer: other, figure: f };
    const cell = (f: Figure | undefined) => (f ? `${format(workload, f.value)}${f.variant ? ` (${f.variant})` : ''}` : '–');
    const ratio = mine !== null && best ? (mine / best.figure.value).toFixed(2) : '–';
    lines.push(
      `| ${[
        workload,
        `${param}${isLatency(workload) ? ', p50' : ''}`,
        format(workload, mine),
        ...peers.map((p) => cell(bestOfPeer.get(p))),
        best ? `${peerLabels[best.peer] ?? best.peer}${best.figure.variant ? ` (${best.figure.variant})` : ''}` : '–',
        ratio,
      ].join(' | ')} |`,
    );
  }
  lines.push('', 'A and B: jobs/s, higher is better (ours / best > 1: we are faster).');
  lines.push('C: pickup latency p50, lower is better (ours / best < 1: we are quicker).');
  return lines.join('\n');
}
