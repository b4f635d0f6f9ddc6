'use client';

import 'uplot/dist/uPlot.min.css';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import { chartOptions, chartSeries, clockTime, plotData, readPalette, type Palette } from '../_lib/chart-options';
import { minuteSeries, summarise, type ChartStats, type MinuteSeries, type SeriesSummary } from '../_lib/minute-series';
import styles from '../admin.module.css';

const plotHeight = 200;

/** The colour each series' legend swatch takes (the same variables the canvas reads). */
const swatch: Record<string, string> = { completed: 'var(--a-ok)', failed: 'var(--a-bad)', retried: 'var(--a-wait)' };

export interface ThroughputChartProps {
  /** The server's stats (its window and minutes), so the first paint has data. */
  initial: ChartStats;
  /** Where a refresh reads the same answer: `/api/stats?hours=24[&queue=Q]`. */
  source: string;
  /** Read `source` again whenever this changes (the live events pass theirs). */
  refreshKey?: number;
  /** What the chart counts, for its text alternative: "all queues", "queue mail". */
  scope: string;
}

/**
 * Completed, failed and retried jobs per minute over the stats window, drawn
 * by uPlot on a canvas. The chart is made once; a refresh (refreshKey, the
 * Refresh button, or new `initial` props from a router refresh) only swaps its
 * data with setData. After each setData the figure's data-total-* attributes
 * say what is plotted, for tests and scripts (never read the pixels).
 */
export function ThroughputChart({ initial, source, refreshKey = 0, scope }: ThroughputChartProps) {
  const [stats, setStats] = useState(initial);
  const [seenInitial, setSeenInitial] = useState(initial);
  if (initial !== seenInitial) {
    setSeenInitial(initial);
    if (isNewer(initial, stats)) setStats(initial);
  }
  const series = useMemo(() => minuteSeries(stats), [stats]);
  const summary = useMemo(() => summarise(series), [series]);
  const [cursor, setCursor] = useState<number | null>(null);
  const [manual, setManual] = useState(0);
  const [refreshing, setRefreshing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const local = useHydrated();

  const figureRef = useRef<HTMLElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const plottedRef = useRef<MinuteSeries | null>(null);
  const latestRef = useRef({ series, summary });
  useEffect(() => {
    latestRef.current = { series, summary };
  });

  // Made once per mount, destroyed on unmount; follows its box's width and the colour scheme.
  useEffect(() => {
    const figure = figureRef.current!;
    const box = plotRef.current!;
    let palette: Palette = readPalette(figure);
    const { series: first, summary: firstSummary } = latestRef.current;
    const options = chartOptions({ width: Math.max(1, Math.floor(box.clientWidth)), height: plotHeight, palette: () => palette, onCursor: setCursor });
    const chart = new uPlot(options, plotData(first), box);
    chartRef.current = chart;
    plottedRef.current = first;
    markPlotted(figure, first, firstSummary);

    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry.contentRect.width);
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: plotHeight });
    });
    resize.observe(box);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const recolour = () => {
      palette = readPalette(figure);
      chart.redraw(false);
    };
    scheme.addEventListener('change', recolour);
    return () => {
      scheme.removeEventListener('change', recolour);
      resize.disconnect();
      chart.destroy();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || plottedRef.current === series) return;
    chart.setData(plotData(series));
    plottedRef.current = series;
    markPlotted(figureRef.current!, series, summary);
  }, [series, summary]);

  // The server's series is current at mount: read again only once the key or the button asks.
  const firstKey = useRef(refreshKey);
  useEffect(() => {
    if (refreshKey === firstKey.current && manual === 0) return;
    const abort = new AbortController();
    setRefreshing(true);
    readChartStats(source, abort.signal).then(
      (fresh) => {
        setStats((shown) => (isNewer(fresh, shown) ? fresh : shown));
        setProblem(null);
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setProblem(error instanceof Error ? error.message : String(error));
      },
    ).finally(() => {
      if (!abort.signal.aborted) setRefreshing(false);
    });
    return () => abort.abort();
  }, [refreshKey, manual, source]);

  const text = describe(summary, stats.window.hours, scope, local);
  return (
    <figure ref={figureRef} className={styles.chart} data-testid="throughput-chart" data-scope={scope} aria-busy={refreshing || undefined}>
      <figcaption className={styles.chartHead}>
        <ul className={styles.chartLegend} aria-label="Series">
          {chartSeries.map(({ key }) => (
            <li key={key} data-testid={`legend-${key}`}>
              <span className={styles.chartSwatch} style={{ background: swatch[key] }} aria-hidden="true" />
              {key} <strong>{summary[key]}</strong>
            </li>
          ))}
          <li className={styles.muted}>jobs per minute, local time</li>
        </ul>
        <button type="button" className={styles.quiet} onClick={() => setManual((n) => n + 1)} disabled={refreshing} data-testid="chart-refresh">
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
      </figcaption>
      <div ref={plotRef} className={styles.chartPlot} style={{ minHeight: plotHeight }} role="img" aria-label={text} />
      <p className={styles.chartReadout} data-testid="chart-readout">{readout(series, cursor)}</p>
      <p className={styles.visuallyHidden} data-testid="chart-summary">{text}</p>
      {problem && <p className={styles.error} role="alert" data-testid="chart-error">Could not refresh the chart: {problem}</p>}
    </figure>
  );
}

/** What the chart shows, in words: "last 24 h, all queues: 12 completed, 3 failed, 1 retried; peak 4/min at 14:03". */
function describe(summary: SeriesSummary, hours: number, scope: string, local: boolean): string {
  const counts = `${summary.completed} completed, ${summary.failed} failed, ${summary.retried} retried`;
  const peak = summary.peak ? `; peak ${summary.peak.perMinute}/min at ${clockTime(summary.peak.at, local)}` : '; no job ended';
  return `Jobs per minute, last ${hours} h, ${scope}: ${counts}${peak}`;
}

/** The minute under the cursor, in numbers. */
function readout(series: MinuteSeries, index: number | null): string {
  if (index === null || index >= series.minutes.length) return 'Point at the chart to read one minute.';
  return `${clockTime(series.minutes[index] * 1000, true)}: ${series.completed[index]} completed · ${series.failed[index]} failed · ${series.retried[index]} retried`;
}

function markPlotted(figure: HTMLElement, series: MinuteSeries, summary: SeriesSummary): void {
  Object.assign(figure.dataset, {
    totalCompleted: String(summary.completed), totalFailed: String(summary.failed), totalRetried: String(summary.retried),
    points: String(series.minutes.length), plotted: 'true',
  });
}

const isNewer = (a: ChartStats, b: ChartStats) => Date.parse(a.generatedAt) > Date.parse(b.generatedAt);

/** The chart's part of GET /api/stats, with the session cookie; a refusal or a bad answer as an Error with the server's message. */
async function readChartStats(source: string, signal: AbortSignal): Promise<ChartStats> {
  const response = await fetch(source, { credentials: 'same-origin', cache: 'no-store', signal, headers: { accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `the server answered ${response.status}`);
  }
  const stats = body as Partial<ChartStats> | null;
  if (!stats || typeof stats.generatedAt !== 'string' || !stats.window || !Array.isArray(stats.throughput)) throw new Error('the answer holds no stats');
  return { generatedAt: stats.generatedAt, window: stats.window, throughput: stats.throughput };
}

const noSubscription = () => () => {};

/** False while rendering on the server and hydrating, true after: local times only once the reader's zone is known. */
function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}
