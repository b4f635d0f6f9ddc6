import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from 'parse-prometheus-text-format';

/** A scrape, parsed by a Prometheus text parser, read by metric name and exact labels. */
export interface Scrape {
  families: Map<string, ParsedFamily>;
  /** The type of a metric family (COUNTER, GAUGE, HISTOGRAM), or undefined when the scrape has none of that name. */
  type(name: string): string | undefined;
  /** The value of the one sample of `name` with exactly `labels`, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** A histogram sample with exactly `labels`: its cumulative buckets, count and sum. */
  histogram(name: string, labels: Record<string, string>): { buckets: Record<string, number>; count: number; sum: number } | undefined;
  /** Every sample of `name`. */
  samples(name: string): ParsedSample[];
}

const sameLabels = (a: Record<string, string> = {}, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/**
 * Parses `text` with parse-prometheus-text-format. That parser (1.1.1) folds
 * every series of a histogram into one and drops their labels, so histograms
 * are read from a second parse of the text without their TYPE lines, where
 * `<name>_bucket`, `_sum` and `_count` come out as plain series with their labels.
 */
export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const histogramTypeLine = /^# TYPE \S+ histogram$/;
  const series = new Map(parsePrometheusTextFormat(text.split('\n').filter((l) => !histogramTypeLine.test(l)).join('\n')).map((f) => [f.name, f]));
  const find = (name: string, labels: Record<string, string>) => series.get(name)?.metrics.find((m) => sameLabels(m.labels, labels));
  const valueOf = (name: string, labels: Record<string, string> = {}) => {
    const found = find(name, labels);
    return found?.value === undefined ? undefined : Number(found.value);
  };
  return {
    families,
    type: (name) => families.get(name)?.type,
    value: valueOf,
    histogram(name, labels) {
      const count = valueOf(`${name}_count`, labels);
      if (count === undefined) return undefined;
      const buckets = (series.get(`${name}_bucket`)?.metrics ?? [])
        .filter((m) => sameLabels(Object.fromEntries(Object.entries(m.labels ?? {}).filter(([k]) => k !== 'le')), labels))
        .map((m) => [m.labels!.le, Number(m.value)] as const);
      return { buckets: Object.fromEntries(buckets), count, sum: valueOf(`${name}_sum`, labels)! };
    },
    samples: (name) => series.get(name)?.metrics ?? [],
  };
}
