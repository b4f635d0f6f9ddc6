import { Chalk, type ChalkInstance } from 'chalk';
import { isJsonObjectLine, type LogFormat, type LogLevel } from '../core/log-line';
import { jsonLine, logFormatOf, writeOut, type ProcessName } from '../lib/log/process-log';

/** Honours NO_COLOR and chalk's own terminal detection; no colours in JSON lines. */
export const paint: ChalkInstance = new Chalk({ level: process.env.NO_COLOR || logFormatOf() === 'json' ? 0 : new Chalk().level });

/** Colours of the supervisor's own lines; each child process takes the next colour of the palette. */
const own = { start: paint.yellow, build: paint.blue };
const palette = [paint.cyan, paint.magenta, paint.green, paint.red, paint.blue];

/** Writes one line as `name`: the supervisor's own ('start', 'build') or a child's, from its stdout or stderr. */
export type LineWriter = (text: string, how?: { level?: LogLevel; stream?: 'stdout' | 'stderr' }) => void;

/**
 * Hands out writers that put a coloured `[name]` before each line, padded so
 * every process's lines align; with LOG_FORMAT=json, writers that make each
 * line one JSON object instead.
 */
export interface PrefixedLog {
  for(name: string): LineWriter;
}

export function createPrefixedLog(processNames: string[], write: (text: string) => void = writeOut, format: LogFormat = logFormatOf()): PrefixedLog {
  if (format === 'json') return jsonLog(write);
  const names = [...Object.keys(own), ...processNames];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const colors = new Map<string, ChalkInstance>([
    ...Object.entries(own),
    ...processNames.map((name, i): [string, ChalkInstance] => [name, palette[i % palette.length]]),
  ]);
  return {
    for(name) {
      const prefix = (colors.get(name) ?? paint.white)(`[${name}]`.padEnd(width));
      return (text) => write(`${prefix} ${text}`);
    },
  };
}

/**
 * The supervisor's own lines as process "supervisor" (event "supervisor", or
 * "build" for the lines of `next build`); a child's line that is already a
 * JSON object (it runs with LOG_FORMAT=json too) passes as it is, and any
 * other (Next.js' banner before the app is loaded, a crash's trace) becomes
 * one with the child's name as its process, event "output", and level error
 * when it came on stderr. Never a prefix in front of JSON, which would make it
 * invalid. Written with `write` as they are, not through console, which is a
 * JSON writer of its own in this mode.
 */
function jsonLog(write: (text: string) => void): PrefixedLog {
  return {
    for(name) {
      if (name === 'start' || name === 'build') {
        const event = name === 'start' ? 'supervisor' : 'build';
        return (text, how = {}) => write(jsonLine('supervisor', { level: how.level ?? 'info', event, message: text }));
      }
      return (text, how = {}) => {
        if (isJsonObjectLine(text)) return write(text);
        const level = how.level ?? (how.stream === 'stderr' ? 'error' : 'info');
        write(jsonLine(name as ProcessName, { level, event: 'output', stream: how.stream, message: text }));
      };
    },
  };
}
