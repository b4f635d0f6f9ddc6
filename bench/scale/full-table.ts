import { loadUtil, type ResultLine } from '../harness';
import { runHarness, tsxBin } from '../run-harness';
import { finishedTable } from './finished-table';

export interface FullTableRow {
  concurrency: number;
  emptyJobsPerSec: number | null;
  fullJobsPerSec: number | null;
  /** full / empty (target: 0.90 or more). */
  ratio: number | null;
  runs: string;
}

export interface FullTableResult {
  rows: FullTableRow[];
  mix: string;
  code: number;
}

/**
 * Row 2, "B with 1,000,000 completed jobs already in the table": the harness's
 * workload B, unchanged, run twice over in one invocation (interleaved, each
 * run a fresh process): on an empty database as always, and with every step
 * starting from a copy of a table of `fill` finished jobs (bench/scale/finished-table.ts).
 */
export async function fullTableRow(opts: { fill: number; concurrency: number[]; harness: string[] }): Promise<FullTableResult> {
  const table = await finishedTable(opts.fill);
  const filledPeer = `fluentjobs-${opts.fill}`;
  const { code, results, peersDir } = await runHarness([
    '--peer', 'none', '--only', 'B', '--concurrency', opts.concurrency.join(','),
    '--extra', `fluentjobs=${tsxBin} bench/peer.ts`,
    '--extra', `${filledPeer}=${tsxBin} bench/peer.ts --prefill ${table.relative} --peer-name ${filledPeer}`,
    ...opts.harness,
  ], 'full-table');
  const { median } = await loadUtil(peersDir);
  const ok = (peer: string, c: number) => results.filter((r: ResultLine) => r.peer === peer && r.workload === 'B_process' && r.param === `C=${c}` && !r.error);
  const rows = opts.concurrency.map((c) => {
    const empty = median(ok('fluentjobs', c).map((r) => r.jobs_per_sec));
    const full = median(ok(filledPeer, c).map((r) => r.jobs_per_sec));
    const each = (peer: string) => ok(peer, c).map((r) => Math.round(r.jobs_per_sec ?? 0)).join(' ');
    return { concurrency: c, emptyJobsPerSec: empty, fullJobsPerSec: full, ratio: empty && full ? full / empty : null, runs: `empty ${each('fluentjobs')}; full ${each(filledPeer)}` };
  });
  return { rows, mix: table.mix, code };
}
