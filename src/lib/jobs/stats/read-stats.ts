import { defaults } from '../../../config/defaults';
import { JobsError } from '../../../core/errors';
import { shortJobId } from '../../../core/ids';
import { formatRateLimit } from '../../../core/rate';
import type { Engine } from '../../../db/engine';
import { foldBeforeReading } from '../../../store/fold';
import { listQueueLimits } from '../../../store/limits';
import { listPausedQueues } from '../../../store/queues';
import { oldestReadyJob, readJobCounts, readMinuteTotals, readNameTotals, runTimeBucketsMs, type MinuteTotals } from '../../../store/stats';
import { checkQueue } from '../job-spec';
import { addCounts, countsByQueue, emptyCounts } from './counts';
import { failureRate, nameStats } from './names';
import type { MinuteCounts, OldestReady, QueueStats, StatsJson } from './types';

export interface StatsOptions {
  /** Only this queue; default every queue. */
  queue?: string;
  /** Hours of history, a whole number from 1 to 168 (statsMaxWindowHours); default 24 (statsWindowHours). */
  hours?: number;
  /** Epoch ms the stats are read at: the end of the window and the clock of ages. */
  now: number;
}

const hourMs = 3_600_000;
const minuteMs = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The hours of a window, or a bad_request naming the bounds (the API answers 400, the CLI exits 2). */
export function checkStatsHours(hours: number | undefined): number {
  if (hours === undefined) return defaults.statsWindowHours;
  if (!Number.isInteger(hours) || hours < 1 || hours > defaults.statsMaxWindowHours) {
    throw new JobsError('bad_request', `hours must be a whole number from 1 to ${defaults.statsMaxWindowHours}, got ${hours}`);
  }
  return hours;
}

/**
 * Read-only for jobs. The stats of every queue (or one) at `now`, after
 * folding the change feed in: counts from job_counts, history from job_minutes, the oldest ready job per queue by a
 * few index seeks. Never scans the jobs table, so it costs the same with a
 * million jobs as with ten.
 */
export async function readStats(engine: Engine, options: StatsOptions): Promise<StatsJson> {
  const { now } = options;
  const hours = checkStatsHours(options.hours);
  const queue = options.queue === undefined ? undefined : checkQueue(options.queue);
  const range = { from: now - hours * hourMs, to: now, queue };

  await foldBeforeReading(engine);
  const countRows = await readJobCounts(engine, queue);
  const shown = (q: string) => queue === undefined || q === queue;
  const paused = new Set((await listPausedQueues(engine)).filter(shown));
  const limits = new Map((await listQueueLimits(engine)).filter((l) => shown(l.queue)).map((l) => [l.queue, l]));
  const byQueue = countsByQueue(countRows);
  // A queue asked for by name is shown even when empty: "nothing there" is an answer too.
  const names = queue !== undefined ? [queue] : [...new Set([...byQueue.keys(), ...paused, ...limits.keys()])].sort();

  const queues: QueueStats[] = [];
  for (const name of names) {
    const counts = byQueue.get(name) ?? emptyCounts();
    const limit = limits.get(name);
    queues.push({
      queue: name, counts, paused: paused.has(name),
      rateLimit: limit ? { max: limit.rateMax, durationMs: limit.rateDurationMs, rate: formatRateLimit({ max: limit.rateMax, durationMs: limit.rateDurationMs }) } : null,
      // Seeks only where job_counts says some job is ready: an idle queue costs nothing.
      oldestReady: counts.waiting.ready > 0 ? await oldestReady(engine, name, now) : null,
    });
  }

  const minutes = await readMinuteTotals(engine, range);
  const byName = (await readNameTotals(engine, range)).map(nameStats);
  const sum = (key: 'completed' | 'failed' | 'cancelled' | 'retried') => minutes.reduce((total, m) => total + m[key], 0);
  const [completed, failed, cancelled, retried] = [sum('completed'), sum('failed'), sum('cancelled'), sum('retried')];
  const lastMinuteStart = Math.floor(now / minuteMs) * minuteMs - minuteMs;
  const lastMinute = minutes.find((m) => m.minute === lastMinuteStart) ?? { minute: lastMinuteStart, completed: 0, failed: 0, cancelled: 0, retried: 0 };

  return {
    generatedAt: iso(now),
    queue: queue ?? null,
    window: { hours, from: iso(range.from), to: iso(now) },
    counts: addCounts(emptyCounts(), countRows),
    queues,
    throughput: minutes.map(minuteJson),
    totals: {
      completed, failed, cancelled, retried, failureRate: failureRate(completed, failed),
      jobsPerMinute: Math.round(((completed + failed + cancelled) / (hours * 60)) * 10_000) / 10_000,
      lastMinute: minuteJson(lastMinute),
    },
    names: byName,
    runTimeBucketsMs: [...runTimeBucketsMs],
  };
}

function minuteJson(m: MinuteTotals): MinuteCounts {
  return { minute: iso(m.minute), completed: m.completed, failed: m.failed, cancelled: m.cancelled, retried: m.retried };
}

async function oldestReady(engine: Engine, queue: string, now: number): Promise<OldestReady | null> {
  const job = await oldestReadyJob(engine, queue);
  if (!job) return null; // it started between the two reads
  // A job due in the future by a clock ahead of ours has not waited at all.
  return { id: job.id, shortId: shortJobId(job.id), since: iso(Number(job.runAt)), ageMs: Math.max(0, now - Number(job.runAt)) };
}
