import type { LogLevel } from '../core/log-line';
import { jsonLine, logFormatOf, writeErr, writeOut } from '../lib/log/process-log';
import type { PollerLog, PollerLogFields } from './poller';

const stamp = () => new Date().toISOString().slice(11, 23);

/**
 * A cron poller's log: readable lines with the time of day (errors on stderr,
 * after "error: "), or with LOG_FORMAT=json one JSON object per line, with the
 * schedule, fire time and job it names.
 */
export function createPollerLog(format = logFormatOf()): PollerLog & { signal(signal: string): void } {
  const json = (level: LogLevel, line: string, fields: PollerLogFields) => jsonLine('cron', { level, ...fields, message: line });
  return {
    info: (line, fields = { event: 'cron.info' }) => writeOut(format === 'json' ? json('info', line, fields) : `${stamp()} ${line}`),
    error: (line, fields = { event: 'cron.error' }) => writeErr(format === 'json' ? json('error', line, fields) : `${stamp()} error: ${line}`),
    // As it always read: without the time of day.
    signal: (signal) => writeOut(format === 'json' ? json('info', `${signal}: stopping the cron poller`, { event: 'cron.signal' }) : `${signal}: stopping the cron poller`),
  };
}
