/**
 * Percentiles estimated from a bucketed histogram, as Prometheus'
 * histogram_quantile does: exact values are not kept (a million run times per
 * name would be), only counts per bucket, so a percentile is placed inside
 * its bucket by linear interpolation between the bucket's bounds.
 */

/**
 * The `q`-quantile (0..1) of a histogram whose bucket i counts values in
 * (bounds[i-1], bounds[i]] (the first from 0), and whose one extra last bucket
 * counts values above the last bound. A quantile that falls in that open
 * bucket is reported as the last bound: a floor, for nothing bounds it above.
 * Null for an empty histogram.
 * @example histogramQuantile([0, 4], [10, 20], 0.5) // 15
 * @example histogramQuantile([0, 0, 3], [10, 20], 0.99) // 20
 */
export function histogramQuantile(counts: readonly number[], bounds: readonly number[], q: number): number | null {
  const total = histogramCount(counts);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i];
    if (n > 0 && below + n >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + (bounds[i] - lower) * ((rank - below) / n);
    }
    below += n;
  }
  return bounds[bounds.length - 1];
}

/** How many values a histogram counts. @example histogramCount([1, 0, 2]) // 3 */
export function histogramCount(counts: readonly number[]): number {
  return counts.reduce((sum, n) => sum + n, 0);
}
