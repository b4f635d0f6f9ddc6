import { describe, expect, it } from 'vitest';
import { minuteSeries, summarise, type ChartStats } from '@/app/admin/_lib/minute-series';

const minute = (iso: string, counts: Partial<{ completed: number; failed: number; cancelled: number; retried: number }>) => ({
  minute: iso, completed: 0, failed: 0, cancelled: 0, retried: 0, ...counts,
});

/** A 24 h window ending at 12:34:56, as readStats answers it. */
function stats(throughput: ChartStats['throughput']): ChartStats {
  return {
    generatedAt: '2026-12-02T12:34:56.789Z',
    window: { hours: 24, from: '2026-12-01T12:34:56.789Z', to: '2026-12-02T12:34:56.789Z' },
    throughput,
  };
}

describe('the chart\'s minute series', () => {
  it('has every minute of the window, both ends included as the store sums them, the quiet ones as 0', () => {
    const series = minuteSeries(stats([]));
    expect(series.minutes).toHaveLength(24 * 60 + 1);
    expect(series.minutes[0]).toBe(Date.parse('2026-12-01T12:34:00.000Z') / 1000);
    expect(series.minutes.at(-1)).toBe(Date.parse('2026-12-02T12:34:00.000Z') / 1000);
    expect(series.minutes[1] - series.minutes[0]).toBe(60);
    expect(new Set([...series.completed, ...series.failed, ...series.retried])).toEqual(new Set([0]));
    expect(summarise(series)).toEqual({ completed: 0, failed: 0, retried: 0, peak: null });
  });

  it('puts each active minute in its place and adds up to the answer\'s totals, with the busiest minute by jobs ended', () => {
    const series = minuteSeries(stats([
      minute('2026-12-01T12:34:00.000Z', { completed: 1 }),
      minute('2026-12-02T09:00:00.000Z', { completed: 4, failed: 3, retried: 2 }),
      minute('2026-12-02T12:34:00.000Z', { completed: 5, cancelled: 9 }),
    ]));
    const at = (iso: string) => series.minutes.indexOf(Date.parse(iso) / 1000);
    expect(series.completed[0]).toBe(1);
    expect(series.completed[at('2026-12-02T09:00:00.000Z')]).toBe(4);
    expect(series.failed[at('2026-12-02T09:00:00.000Z')]).toBe(3);
    expect(series.retried[at('2026-12-02T09:00:00.000Z')]).toBe(2);
    expect(series.completed.at(-1)).toBe(5);
    expect(series.completed[at('2026-12-02T08:59:00.000Z')]).toBe(0);
    expect(summarise(series)).toEqual({ completed: 10, failed: 3, retried: 2, peak: { perMinute: 7, at: Date.parse('2026-12-02T09:00:00.000Z') } });
  });

  it('leaves out a minute outside the window rather than stretching it', () => {
    const series = minuteSeries(stats([minute('2026-12-01T12:33:00.000Z', { completed: 1 }), minute('2026-12-02T12:35:00.000Z', { failed: 1 })]));
    expect(series.minutes).toHaveLength(24 * 60 + 1);
    expect(summarise(series)).toMatchObject({ completed: 0, failed: 0 });
  });
});
