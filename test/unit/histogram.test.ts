import { describe, expect, it } from 'vitest';
import { histogramCount, histogramQuantile } from '@/core/histogram';

const bounds = [10, 20, 50];

describe('percentiles estimated from histogram buckets', () => {
  it('interpolate linearly inside the bucket a percentile falls in, the first bucket starting at 0', () => {
    expect(histogramQuantile([4, 0, 0, 0], bounds, 0.5)).toBe(5);
    expect(histogramQuantile([0, 4, 0, 0], bounds, 0.5)).toBe(15);
    expect(histogramQuantile([0, 4, 0, 0], bounds, 1)).toBe(20);
    // 2 below 10, 2 in (20, 50]: the median is the end of the first bucket, p75 half way into the third.
    expect(histogramQuantile([2, 0, 2, 0], bounds, 0.5)).toBe(10);
    expect(histogramQuantile([2, 0, 2, 0], bounds, 0.75)).toBe(35);
  });

  it('report a percentile in the open-ended last bucket as the last bound, a floor', () => {
    expect(histogramQuantile([1, 0, 0, 9], bounds, 0.99)).toBe(50);
    expect(histogramQuantile([0, 0, 0, 1], bounds, 0.5)).toBe(50);
  });

  it('are null for an empty histogram', () => {
    expect(histogramQuantile([0, 0, 0, 0], bounds, 0.5)).toBeNull();
    expect(histogramCount([1, 0, 2, 3])).toBe(6);
  });
});
