import type { Readable } from 'node:stream';
import readline from 'node:readline';

/** Calls `onLine` for each line of a child's output stream, without its line break. */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}
