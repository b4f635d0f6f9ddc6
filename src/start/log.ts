import { Chalk, type ChalkInstance } from 'chalk';

/** Honours NO_COLOR and chalk's own terminal detection. */
export const paint: ChalkInstance = new Chalk({ level: process.env.NO_COLOR ? 0 : new Chalk().level });

/** Colours of the supervisor's own lines; each child process takes the next colour of the palette. */
const own = { start: paint.yellow, build: paint.blue };
const palette = [paint.cyan, paint.magenta, paint.green, paint.red, paint.blue];

/** Hands out writers that put a coloured `[name]` before each line, padded so every process's lines align. */
export interface PrefixedLog {
  for(name: string): (text: string) => void;
}

export function createPrefixedLog(processNames: string[], write: (text: string) => void = (t) => console.log(t)): PrefixedLog {
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
