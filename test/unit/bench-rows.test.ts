import { describe, expect, it } from 'vitest';
import { compareTable } from '../../bench/compare';
import type { ResultLine } from '../../bench/harness';
import { splitFlags, scaleFlags, sharedFlags } from '../../bench/scale/flags';
import { median, percentile } from '../../bench/scale/stats';

const line = (peer: string, workload: ResultLine['workload'], param: string, figures: Partial<ResultLine>): ResultLine => ({
  peer, workload, param, jobs: 1000, seconds: 1, jobs_per_sec: null, p50_ms: null, p95_ms: null, p99_ms: null, version: 'v', ...figures,
});

const results: ResultLine[] = [
  line('fluentjobs', 'B_process', 'C=16', { jobs_per_sec: 6000 }),
  line('bullmq', 'B_process', 'C=16', { jobs_per_sec: 9000 }),
  line('graphile', 'B_process', 'C=16,localQueue=500', { jobs_per_sec: 20000 }),
  line('floor', 'B_process', 'C=16', { jobs_per_sec: 100000 }),
  line('fluentjobs', 'C_latency', 'C=1', { p50_ms: 1, p99_ms: 3 }),
  line('bullmq', 'C_latency', 'C=1', { p50_ms: 0.5, p99_ms: 6 }),
  line('floor', 'C_latency', 'C=1', { p50_ms: 0.25, p99_ms: 0.5 }),
];
const rowOf = (table: string, start: string) => table.split('\n').find((l) => l.startsWith(start))!.split(' | ');

describe('the bench comparison table', () => {
  it('never names the floor the best peer, and gives ours / floor in a column of its own', () => {
    const table = compareTable(results, median);
    expect(table.split('\n')[0]).toBe('| workload | param | fluentjobs | BullMQ | graphile-worker | best peer | ours / best | floor | ours / floor |');
    const b = rowOf(table, '| B_process | C=16 |');
    expect(b[5]).toBe('graphile-worker (localQueue=500)');
    expect(b[6]).toBe('0.30');
    expect(b[7]).toBe('100000/s');
    expect(b[8]).toBe('0.06 |');
  });

  it('compares pickup latency at p99 as well as p50, each against the peer best at it', () => {
    const table = compareTable(results, median);
    expect(rowOf(table, '| C_latency | C=1, p50 |').slice(2, 7)).toEqual(['1.00 ms', '0.50 ms', '–', 'BullMQ', '2.00']);
    expect(rowOf(table, '| C_latency | C=1, p99 |').slice(2, 7)).toEqual(['3.00 ms', '6.00 ms', '–', 'BullMQ', '0.50']);
  });

  it('shows an older checkout of ours (an extra named before) beside the floor, never as the best peer', () => {
    const withBefore = [...results, line('before', 'B_process', 'C=16', { jobs_per_sec: 30000 }), line('before', 'C_latency', 'C=1', { p50_ms: 2, p99_ms: 4 }),
      line('fluentjobs', 'C_latency', 'C=1,worker=child-process', { p50_ms: 1.5, p99_ms: 5 }), line('before', 'C_latency', 'C=1,worker=child-process', { p50_ms: 3, p99_ms: 10 })];
    const table = compareTable(withBefore, median);
    expect(table.split('\n')[0]).toBe('| workload | param | fluentjobs | BullMQ | graphile-worker | best peer | ours / best | floor | ours / floor | before | ours / before |');
    const b = rowOf(table, '| B_process | C=16 |');
    expect(b[5]).toBe('graphile-worker (localQueue=500)'); // not before, though it is faster
    expect(b.slice(9)).toEqual(['30000/s', '0.20 |']);
    expect(rowOf(table, '| C_latency | C=1, p50 |').slice(9)).toEqual(['2.00 ms', '0.50 |']);
    // ours against the same variant of before, not the best of its variants
    expect(rowOf(table, '| C_latency | C=1,worker=child-process, p50 |').slice(9)).toEqual(['3.00 ms', '0.50 |']);
  });

  it('has no floor column when the harness ran without --floor', () => {
    expect(compareTable(results.filter((r) => r.peer !== 'floor'), median).split('\n')[0]).not.toContain('floor');
  });
});

describe('npm run bench flags', () => {
  it('sends the scale rows their own flags and the shared ones, and the harness the rest', () => {
    const { scale, harness } = splitFlags(['--runs', '3', '--idle-seconds=10', '--only', 'B', '--memory-at', '1,2', '--profile', '--n', '500'], scaleFlags, sharedFlags);
    expect(scale).toEqual(['--runs', '3', '--idle-seconds=10', '--memory-at', '1,2', '--profile', '--n', '500']);
    expect(harness).toEqual(['--runs', '3', '--only', 'B', '--n', '500']);
  });
});

describe('bench percentiles', () => {
  it('takes the nearest rank, as the harness does', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([], 99)).toBeNull();
    expect(median([3, null, 1, 2, 4])).toBe(2.5);
  });
});
