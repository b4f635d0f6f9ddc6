// Job statistics, read from the counts and per-minute rows the database's triggers keep.
export { readStats, checkStatsHours, type StatsOptions } from './read-stats';
export type {
  StatsJson, StateCounts, WaitingCounts, QueueStats, OldestReady, MinuteCounts, WindowTotals, NameStats, RunTimes,
} from './types';
