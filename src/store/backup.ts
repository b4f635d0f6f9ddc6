import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Engine } from '../db/engine';
import { liveWorker } from './workers';

/** Every table of a database but SQLite's own (sqlite_schema, sqlite_sequence, sqlite_stat1), by name. */
const listTablesSql = `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`;

/** `SELECT count(*)` of one table, its name quoted as an identifier. */
const countRowsSql = (table: string) => `SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`;

/** Rows per table, by table name. */
export type TableRowCounts = Record<string, number>;

// The thread's whole program: its own connection to the live file, VACUUM INTO the target (one
// read transaction: in WAL mode a snapshot that writers go on committing past, never waited for
// nor blocked), then the row counts of the copy on a connection of its own.
const threadSource = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const source = new Database(workerData.source, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
try { source.prepare('VACUUM INTO ?').run(workerData.target); } finally { source.close(); }
const copy = new Database(workerData.target, { readonly: true, fileMustExist: true });
try {
  const tables = {};
  for (const { name } of copy.prepare(${JSON.stringify(listTablesSql)}).all()) {
    tables[name] = Number(copy.prepare('SELECT count(*) AS n FROM "' + name.replaceAll('"', '""') + '"').get().n); // as countRowsSql
  }
  parentPort.postMessage(tables);
} finally { copy.close(); }
`;

/**
 * A consistent copy of a local database file at `target` (which must not
 * exist), made while other processes go on writing, and the row counts of
 * every table in that copy. VACUUM INTO reads the database in one read
 * transaction, so the copy is the database as of one commit, compacted, in
 * rollback-journal mode (a single file, no -wal). It runs in a worker thread
 * with its own connection: on a large file it takes seconds, and the calling
 * thread keeps running its other jobs' heartbeats meanwhile. An aborted
 * `signal` stops the thread. A local file only: the caller refuses a remote engine.
 */
export async function copyDatabaseInto(engine: Engine, target: string, busyTimeoutMs: number, signal?: AbortSignal): Promise<TableRowCounts> {
  if (engine.kind !== 'file') throw new Error('copyDatabaseInto works on a local database file only');
  signal?.throwIfAborted();
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = new Worker(threadSource, { eval: true, workerData: { source: engine.location, target, driverPath, busyTimeoutMs } });
  return new Promise<TableRowCounts>((resolve, reject) => {
    const onAbort = () => void thread.terminate().finally(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (finish: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    thread.once('message', (tables: TableRowCounts) => settle(() => resolve(tables)));
    thread.once('error', (error) => settle(() => reject(error)));
    thread.once('exit', (code) => settle(() => reject(new Error(`the backup thread exited (code ${code}) before it had made the copy`))));
  });
}

/** Read-only. The row count of every table (SQLite's own left out), by name. */
export async function tableRowCounts(engine: Engine): Promise<TableRowCounts> {
  const tables = await engine.all<{ name: string }>(listTablesSql);
  const counts: TableRowCounts = {};
  for (const { name } of tables) counts[name] = Number((await engine.all<{ n: number }>(countRowsSql(name)))[0].n);
  return counts;
}

/**
 * Read-only. What PRAGMA integrity_check finds: ['ok'] for a sound database,
 * else its problems, at most `maxProblems` of them.
 */
export async function integrityProblems(engine: Engine, maxProblems = 20): Promise<string[]> {
  const rows = await engine.all<{ integrity_check: string }>(`PRAGMA integrity_check(${Math.max(1, Math.floor(maxProblems))})`);
  return rows.map((r) => String(r.integrity_check));
}

/**
 * Read-only. How many worker processes are live on this database (heartbeat
 * since `since`, not stopped: liveWorker), and the newest heartbeat; a file
 * with no workers table (not a Fluent Jobs database, or an empty one) has none.
 */
export async function liveWorkersOn(engine: Engine, since: number): Promise<{ alive: number; lastHeartbeatAt: number | null }> {
  try {
    const [row] = await engine.all<{ alive: number; last: number | null }>(
      `SELECT count(*) AS alive, max(last_heartbeat_at) AS last FROM workers INDEXED BY workers_heartbeat_idx WHERE ${liveWorker}`,
      [since],
    );
    return { alive: Number(row.alive), lastHeartbeatAt: row.last === null ? null : Number(row.last) };
  } catch (error) {
    if (/no such (table|index)/i.test((error as Error).message)) return { alive: 0, lastHeartbeatAt: null };
    throw error;
  }
}
