import { setTimeout as sleep } from 'node:timers/promises';
import { defaults } from '../../config/defaults';
import { JobsError } from '../../core/errors';
import { getEngine } from '../../db/client';
import { readStats, type StatsJson } from '../../lib/jobs/stats';
import { parseCommand } from '../args';
import { renderStats } from '../format-stats';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.stats;
/** How often --watch reads and redraws. */
export const statsWatchIntervalMs = 2_000;

export const statsCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, {
      queue: { type: 'string' }, hours: { type: 'string' }, json: { type: 'boolean' }, watch: { type: 'boolean' },
    }, usage);
    if (positionals.length) throw new JobsError('usage', `stats takes no argument "${positionals[0]}" (a queue is --queue ${positionals[0]}).\nUsage: ${usage}`);
    const hours = hoursOption(values.hours);
    const engine = await getEngine();
    const read = () => readStats(engine, { queue: values.queue, hours, now: Date.now() });
    // --json is the API's answer as it is; watched, one line per read (JSON Lines) so a script can follow it.
    const show = (stats: StatsJson) => (values.json ? JSON.stringify(stats, null, values.watch ? undefined : 2) : renderStats(stats));
    if (!values.watch) {
      io.out(show(await read()));
      return 0;
    }
    await everyUntilInterrupted(statsWatchIntervalMs, async () => {
      const text = show(await read());
      if (values.json) io.out(text);
      else io.redraw(`${text}\n\nevery ${statsWatchIntervalMs / 1_000} s; Ctrl-C to stop`);
    });
    return 0;
  },
};

/** --hours as a whole number in the window stats keep, or a usage error naming the option. */
function hoursOption(value: string | undefined): number {
  if (value === undefined) return defaults.statsWindowHours;
  const hours = Number(value);
  if (!/^\d+$/.test(value.trim()) || hours < 1 || hours > defaults.statsMaxWindowHours) {
    throw new JobsError('usage', `--hours must be a whole number from 1 to ${defaults.statsMaxWindowHours}, got "${value}"`);
  }
  return hours;
}

/** Runs `tick` now and every `intervalMs` after it ends, until Ctrl-C (SIGINT) or SIGTERM: the normal end of a watch, so not an error. */
async function everyUntilInterrupted(intervalMs: number, tick: () => Promise<void>): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    while (!stop.signal.aborted) {
      await tick();
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined); // aborted: the loop ends
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
