import { createRequire } from 'node:module';
import os from 'node:os';
import Database from 'better-sqlite3';

const require = createRequire(import.meta.url);

/** The SQLite our file engine runs on, asked of a throw-away in-memory connection (never a benchmark file). */
export function sqliteVersion(): string {
  const memory = new Database(':memory:');
  try {
    return (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    memory.close();
  }
}

export const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');

/** One line naming what the figures were measured on: cores, CPU model, Node, SQLite, and how busy the machine was. */
export function machineLine(): string {
  const cpus = os.cpus();
  const driver = (require('better-sqlite3/package.json') as { version: string }).version;
  return `machine: ${cpus.length} cores, ${cpus[0]?.model?.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB; `
    + `Node ${process.version}; SQLite ${sqliteVersion()} (better-sqlite3 ${driver}); ${os.platform()} ${os.release()}; `
    + `load average ${loadAverage()}`;
}
