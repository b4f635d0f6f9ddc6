/** Helpers over time intervals and instants, for limits observed after the fact. */

export interface Interval<T> {
  start: number;
  end: number;
  item: T;
}

export interface Peak<T> {
  peak: number;
  /** When the peak was first reached. */
  at: number;
  /** The items open at that moment. */
  open: T[];
}

/**
 * The most intervals open at one moment, and which. An end and a start at the
 * same instant do not overlap; empty intervals count for nothing.
 */
export function peakOverlap<T>(intervals: Interval<T>[]): Peak<T> {
  const events: { at: number; delta: 1 | -1; item: Interval<T> }[] = [];
  for (const i of intervals) {
    if (!(i.end > i.start)) continue;
    events.push({ at: i.start, delta: 1, item: i }, { at: i.end, delta: -1, item: i });
  }
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const open = new Set<Interval<T>>();
  let best: Peak<T> = { peak: 0, at: 0, open: [] };
  for (const e of events) {
    if (e.delta === 1) open.add(e.item);
    else open.delete(e.item);
    if (open.size > best.peak) best = { peak: open.size, at: e.at, open: [...open].map((i) => i.item) };
  }
  return best;
}

/** The most instants within any window of `windowMs` (a window is [t, t + windowMs)), and which. */
export function peakInWindow<T>(stamps: { at: number; item: T }[], windowMs: number): { peak: number; from: number; items: T[] } {
  const sorted = [...stamps].sort((a, b) => a.at - b.at);
  let best = { peak: 0, from: 0, items: [] as T[] };
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last].at - sorted[first].at >= windowMs) first++;
    if (last - first + 1 > best.peak) best = { peak: last - first + 1, from: sorted[first].at, items: sorted.slice(first, last + 1).map((s) => s.item) };
  }
  return best;
}

/** Whether [start, end] meets any of the periods. */
export function meetsAny(start: number, end: number, periods: readonly { from: number; to: number }[]): boolean {
  return periods.some((p) => p.from <= end && p.to >= start);
}

/** The first moment >= start inside one of the periods, or Infinity. */
export function firstMomentIn(start: number, periods: readonly { from: number; to: number }[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const p of periods) if (p.to >= start) first = Math.min(first, Math.max(p.from, start));
  return first;
}
