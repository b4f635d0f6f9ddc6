import { histogramCount, histogramQuantile } from '../../../core/histogram';
import { runTimeBucketsMs, type NameTotals } from '../../../store/stats';
import type { NameStats, RunTimes } from './types';

/** failed / (completed + failed) to 4 decimals; null when neither happened (no rate to speak of). */
export function failureRate(completed: number, failed: number): number | null {
  const ended = completed + failed;
  return ended === 0 ? null : round(failed / ended, 4);
}

/** A job name's window sums as shown: rates, and run times from its histogram. */
export function nameStats(totals: NameTotals): NameStats {
  const { name, completed, failed, cancelled, retried } = totals;
  return { name, completed, failed, cancelled, retried, failureRate: failureRate(completed, failed), runTimeMs: runTimes(totals) };
}

/**
 * The mean is exact (run_ms_total and the histogram count the same runs); the
 * percentiles are estimates from the buckets (core/histogram.ts).
 */
function runTimes(totals: NameTotals): RunTimes | null {
  const samples = histogramCount(totals.histogram);
  if (samples === 0) return null;
  const at = (q: number) => round(histogramQuantile(totals.histogram, runTimeBucketsMs, q)!, 1);
  return { samples, mean: round(totals.runMsTotal / samples, 1), p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
