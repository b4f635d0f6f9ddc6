import { format, stripVTControlCharacters } from 'node:util';
import { jsonLogLine, type LogEntry, type LogFormat, type LogLevel } from '../../core/log-line';
import { describeError } from '../../core/errors';

/** The processes of Fluent Jobs, as the `process` field of their JSON lines names them. */
export type ProcessName = 'web' | 'worker' | 'cron' | 'supervisor';

/**
 * LOG_FORMAT as this process reads it before (and whatever) the rest of the
 * configuration: a bad value reads as text here, and getConfig() refuses it
 * with a clear message, printed as a readable line.
 */
export function logFormatOf(env: NodeJS.ProcessEnv = process.env): LogFormat {
  return env.LOG_FORMAT?.trim().toLowerCase() === 'json' ? 'json' : 'text';
}

/** A line straight to stdout or stderr: past console, which LOG_FORMAT=json turns into JSON lines itself. */
export const writeOut = (line: string): void => void process.stdout.write(`${line}\n`);
export const writeErr = (line: string): void => void process.stderr.write(`${line}\n`);

/** The JSON line of `entry` from this process, now; colours (a chalk-painted message) taken out. */
export function jsonLine(processName: ProcessName, entry: LogEntry): string {
  return jsonLogLine(processName, { ...entry, message: stripVTControlCharacters(entry.message) }, Date.now());
}

const holder = globalThis as unknown as { __fluentJobsConsoleCaptured?: ProcessName };

const consoleLevels: [keyof Console & ('debug' | 'log' | 'info' | 'warn' | 'error'), LogLevel, (line: string) => void][] = [
  ['debug', 'debug', writeOut], ['log', 'info', writeOut], ['info', 'info', writeOut], ['warn', 'warn', writeErr], ['error', 'error', writeErr],
];

/**
 * With LOG_FORMAT=json, makes every console.log / info / debug / warn / error
 * of this process (a job's own, a library's, Next.js' after it has started)
 * one JSON line, event "console", on the stream console would have used; an
 * Error among the arguments gives `error` (its message) and `stack`. Once per
 * process (Next.js dev reloads call it again). With text, console is left as it is.
 */
export function setupProcessLog(processName: ProcessName, logFormat: LogFormat = logFormatOf()): void {
  if (logFormat !== 'json' || holder.__fluentJobsConsoleCaptured) return;
  holder.__fluentJobsConsoleCaptured = processName;
  for (const [method, level, write] of consoleLevels) {
    console[method] = (...args: unknown[]) => {
      const thrown = args.find((a): a is Error => a instanceof Error);
      const error = thrown ? describeError(thrown) : undefined;
      // The message names an Error by its message; its stack goes in a field of its own.
      const message = format(...args.map((a) => (a instanceof Error ? a.message : a)));
      write(jsonLine(processName, { level, event: 'console', message, error: error?.message, stack: error?.stack }));
    };
  }
}
