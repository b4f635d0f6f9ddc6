import type uPlot from 'uplot';
import type { MinuteSeries } from './minute-series';

/** The series a throughput chart draws, each in the colour of its state's label (admin.module.css). */
export const chartSeries = [
  { key: 'completed', colour: '--a-ok' },
  { key: 'failed', colour: '--a-bad' },
  { key: 'retried', colour: '--a-wait' },
] as const;

export type SeriesKey = (typeof chartSeries)[number]['key'];

/** The colours a canvas needs as values: read from the page's CSS variables, so light and dark follow the system setting. */
export type Palette = Record<SeriesKey | 'text' | 'line', string>;

export function readPalette(element: Element): Palette {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    completed: read('--a-ok', '#2b8a3e'), failed: read('--a-bad', '#c92a2a'), retried: read('--a-wait', '#b35c00'),
    text: read('--a-muted', '#5e6878'), line: read('--a-line', '#e2e6ec'),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A minute as people read it on this page: 24-hour local time, or UTC (marked) where the reader's zone is unknown (the server's render). */
export function clockTime(ms: number, local: boolean): string {
  const at = new Date(ms);
  return local ? `${pad(at.getHours())}:${pad(at.getMinutes())}` : `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
}

const monthDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Hour ticks in local time, the day named at midnight (a 24 h window crosses one). */
function timeTicks(_u: uPlot, splits: number[]): string[] {
  return splits.map((s) => {
    const at = new Date(s * 1000);
    return at.getHours() === 0 && at.getMinutes() === 0 ? monthDay.format(at) : clockTime(s * 1000, true);
  });
}

/**
 * The series' colour from just above 0 up, the grid's below: quiet minutes of
 * all three series lie on 0 together, and the one drawn last would otherwise
 * colour the whole baseline (red or orange reads as trouble where there is none).
 */
function risingStroke(u: uPlot, colour: string, baseline: string): CanvasGradient | string {
  const zero = u.valToPos(0, 'y', true);
  const one = u.valToPos(1, 'y', true);
  if (!Number.isFinite(zero) || !Number.isFinite(one) || zero === one) return colour;
  const gradient = u.ctx.createLinearGradient(0, zero, 0, one);
  gradient.addColorStop(0, baseline);
  gradient.addColorStop(0.2, baseline);
  gradient.addColorStop(0.2, colour);
  gradient.addColorStop(1, colour);
  return gradient;
}

function activeMinutes(u: uPlot, seriesIndex: number): number[] {
  const active: number[] = [];
  u.data[seriesIndex].forEach((value, i) => {
    if (value) active.push(i);
  });
  return active;
}

export function plotData(series: MinuteSeries): uPlot.AlignedData {
  return [series.minutes, ...chartSeries.map(({ key }) => series[key])];
}

/**
 * The chart's uPlot options. Colours are functions of `palette()`, which uPlot
 * calls at every draw, so a change of colour scheme needs only a redraw. No
 * drag-to-zoom: a refresh's setData resets the scales, which would undo it.
 */
export function chartOptions({ width, height, palette, onCursor }: {
  width: number; height: number; palette: () => Palette; onCursor: (index: number | null) => void;
}): uPlot.Options {
  const axis = {
    stroke: () => palette().text,
    grid: { stroke: () => palette().line, width: 1 },
    ticks: { stroke: () => palette().line, width: 1 },
  };
  return {
    width, height,
    legend: { show: false }, // the component's own legend and readout: HTML that takes the page's colours and is read aloud
    cursor: { y: false, drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] } },
    series: [
      {},
      ...chartSeries.map(({ key }) => ({
        label: key, width: 1.5,
        stroke: (u: uPlot) => risingStroke(u, palette()[key], palette().line),
        // Dots on the minutes with jobs: one busy minute in 1,441 is under a pixel wide, and would be lost as a line alone.
        points: { show: false, filter: activeMinutes, size: 5, stroke: () => palette()[key], fill: () => palette()[key] },
      })),
    ],
    axes: [
      { ...axis, values: timeTicks, space: 60 },
      // Jobs are whole: ticks at whole numbers only.
      { ...axis, size: 44, space: 24, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000], values: (_u, splits) => splits.map(String) },
    ],
    hooks: { setCursor: [(u) => onCursor(u.cursor.idx ?? null)] },
  };
}
