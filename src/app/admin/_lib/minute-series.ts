import type { StatsJson } from '@/lib/jobs/stats';

/** What a throughput chart needs of a stats answer: its window and its (sparse) minutes. */
export type ChartStats = Pick<StatsJson, 'generatedAt' | 'window' | 'throughput'>;

/** Every minute of a window, oldest first, as uPlot takes it: x in epoch seconds, one array per series. */
export interface MinuteSeries {
  minutes: number[];
  completed: number[];
  failed: number[];
  retried: number[];
}

export interface SeriesSummary {
  completed: number;
  failed: number;
  retried: number;
  /** The most jobs that ended (completed + failed) in one minute, and that minute's start (epoch ms); null when none did. */
  peak: { perMinute: number; at: number } | null;
}

const minuteMs = 60_000;

/**
 * The stats answer's minutes with every minute of its window filled in, the
 * quiet ones as 0 (the answer leaves them out). The one place this is done:
 * the chart fills both the server's first series and every refetched one here.
 * The window is the minutes from `from` to `to`, each rounded down, both
 * included, as the store sums them, so the series adds up to the answer's totals.
 */
export function minuteSeries(stats: ChartStats): MinuteSeries {
  const first = Math.floor(Date.parse(stats.window.from) / minuteMs);
  const last = Math.floor(Date.parse(stats.window.to) / minuteMs);
  const length = Math.max(0, last - first + 1);
  const series: MinuteSeries = {
    minutes: Array.from({ length }, (_, i) => (first + i) * 60),
    completed: new Array<number>(length).fill(0),
    failed: new Array<number>(length).fill(0),
    retried: new Array<number>(length).fill(0),
  };
  for (const m of stats.throughput) {
    const i = Math.floor(Date.parse(m.minute) / minuteMs) - first;
    if (i < 0 || i >= length) continue;
    series.completed[i] += m.completed;
    series.failed[i] += m.failed;
    series.retried[i] += m.retried;
  }
  return series;
}

/** The series' sums and its busiest minute, for the legend, the text alternative and the tests. */
export function summarise(series: MinuteSeries): SeriesSummary {
  const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
  let peak: SeriesSummary['peak'] = null;
  series.minutes.forEach((minute, i) => {
    const ended = series.completed[i] + series.failed[i];
    if (ended > 0 && (peak === null || ended > peak.perMinute)) peak = { perMinute: ended, at: minute * 1000 };
  });
  return { completed: sum(series.completed), failed: sum(series.failed), retried: sum(series.retried), peak };
}

/** The part of a stats answer a chart is handed (its props cross to the browser: the rest stays on the server). */
export function chartStats(stats: StatsJson): ChartStats {
  return { generatedAt: stats.generatedAt, window: stats.window, throughput: stats.throughput };
}
