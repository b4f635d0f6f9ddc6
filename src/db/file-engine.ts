import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema';
import type { DrizzleDb, Engine, Row, SqlArg, Statement } from './engine';
import { JobsError } from '../core/errors';

/**
 * A local SQLite file through better-sqlite3: WAL, synchronous=NORMAL and the
 * busy timeout on its single connection. Not @libsql/client here, because on a
 * local file that driver acknowledges writes it later loses after one
 * SQLITE_BUSY (see PLATFORM.md); better-sqlite3 does not, and is about 4x faster.
 */
export function openFileEngine(filePath: string, busyTimeoutMs: number): Engine {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  // SQLite's own busy wait sleeps the whole process (1, 2, 5, 10 ... 100 ms steps), and while every
  // waiter sleeps the lock sits idle: with several processes on one file that cost more than the work.
  // So it waits at most nativeBusyWaitMs in SQLite, and the rest of the busy timeout out here, in
  // short async sleeps that leave the event loop (heartbeats, other jobs) running.
  const db = new Database(filePath, { timeout: Math.min(busyTimeoutMs, nativeBusyWaitMs) });
  // Only a new file takes it (SQLite ignores it once a file has pages, and in WAL mode): see newFilePageSize.
  db.pragma(`page_size = ${newFilePageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // A WAL that grew (a burst, a full disk) is cut back to this size when it next restarts, instead of keeping its peak for good.
  db.pragma(`journal_size_limit = ${walSizeLimitBytes}`);
  const orm = drizzle(db, { schema }) as unknown as DrizzleDb;
  const prepared = new Map<string, Database.Statement>();

  const prepare = (sql: string): Database.Statement => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  };
  const execute = (sql: string, args: SqlArg[] = []): Row[] => {
    const statement = prepare(sql);
    if (statement.reader) return statement.all(...args) as Row[];
    statement.run(...args);
    return [];
  };
  // IMMEDIATE takes the write lock up front, so a batch waits for it under the
  // busy timeout instead of failing when a read snapshot cannot be upgraded.
  const inTransaction = db.transaction((statements: Statement[]) => statements.map((s) => execute(s.sql, s.args)));
  const inOneTransaction = db.transaction((group: Statement[][]) => group.map((statements) => statements.map((s) => execute(s.sql, s.args))));

  // Batches asked for in the same event-loop turn (say, 16 jobs finishing together) commit as one
  // transaction: a commit costs far more than the statements in it. Each batch still sees only its
  // own rows, and if any statement fails, each batch is run again alone so only the failing one fails.
  // A deferred batch is built here, when its group runs, after every batch asked before it that turn.
  type Pending = { statements: Statement[]; resolve(rows: Row[][]): void; reject(error: unknown): void };
  type Queued = Omit<Pending, 'statements'> & { statements: Statement[] | (() => Statement[]) };
  let queued: Queued[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const group: Pending[] = [];
    for (const entry of queued) {
      let statements: Statement[];
      try {
        statements = typeof entry.statements === 'function' ? entry.statements() : entry.statements;
      } catch (error) {
        entry.reject(error);
        continue;
      }
      if (statements.length === 0) entry.resolve([]);
      else group.push({ statements, resolve: entry.resolve, reject: entry.reject });
    }
    queued = [];
    if (group.length > 1) {
      try {
        const results = await untilNotBusy(() => inOneTransaction.immediate(group.map((entry) => entry.statements)));
        group.forEach((entry, i) => entry.resolve(results[i]));
        return;
      } catch (error) {
        if (isBusy(error)) {
          // Waited the whole busy timeout: each would wait it again for nothing.
          for (const entry of group) entry.reject(translateError(error, busyTimeoutMs, filePath));
          return;
        }
        // any other failure: one at a time, so only the failing batch fails
      }
    }
    for (const entry of group) {
      try {
        entry.resolve(await untilNotBusy(() => inTransaction.immediate(entry.statements)));
      } catch (error) {
        entry.reject(translateError(error, busyTimeoutMs, filePath));
      }
    }
  };
  const enqueue = (statements: Queued['statements']) =>
    new Promise<Row[][]>((resolve, reject) => {
      // One flush at a time, in order: batches that arrive while one waits for the lock join the next group.
      if (queued.push({ statements, resolve, reject }) === 1) setImmediate(() => (flushing = flushing.then(flush)));
    });

  /**
   * Runs `work` at once; if the lock is busy, again after a short async sleep,
   * until the busy timeout has passed since the first try (then the busy error
   * is thrown). A statement that got SQLITE_BUSY changed nothing: its
   * transaction (BEGIN IMMEDIATE, or the statement's own) never began.
   * `alreadyBusy`: the caller's own try just found the lock taken, so sleep before the first.
   */
  const untilNotBusy = async <T>(work: () => T, alreadyBusy = false): Promise<T> => {
    const started = performance.now();
    if (alreadyBusy) await sleep(busyRetryDelayMs(0, busyTimeoutMs));
    for (let tries = alreadyBusy ? 1 : 0; ; tries++) {
      try {
        return work();
      } catch (error) {
        if (!isBusy(error) || performance.now() - started >= busyTimeoutMs) throw error;
        await sleep(busyRetryDelayMs(tries, busyTimeoutMs - (performance.now() - started)));
      }
    }
  };

  const guard = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      if (isBusy(error)) return untilNotBusy(work, true).catch((late: unknown) => Promise.reject(translateError(late, busyTimeoutMs, filePath)));
      return Promise.reject(translateError(error, busyTimeoutMs, filePath));
    }
  };

  return {
    kind: 'file',
    location: filePath,
    orm,
    all: <T = Row>(sql: string, args?: SqlArg[]) => guard(() => execute(sql, args) as T[]),
    run: (sql, args = []) => guard(() => {
      prepare(sql).run(...args);
    }),
    batch: (statements) => enqueue(statements),
    deferredBatch: (build) => enqueue(build),
    async close() {
      prepared.clear();
      if (db.open) db.close();
    },
  };
}

/**
 * The page size of a database file this engine creates, in bytes (SQLite's
 * default is 4096). A commit writes one WAL frame per page it changed, and a
 * job's transitions change a page in each of about six b-trees (enqueue) or
 * ten (claim and settle), so a commit's cost grows with the page size: about
 * 4.7 us a page at 4096, 2.3 us at 1024. 2048 keeps most of that gain while
 * an index key may still hold 488 bytes before it spills to an overflow page
 * (231 at 1024); README, "The database", has the figures. SQLite ignores it
 * for a file that already has pages, which keeps its own.
 */
export const newFilePageSize = 2048;

/** The longest SQLite itself sleeps for a busy lock before the engine's own async wait takes over. */
export const nativeBusyWaitMs = 1;

/** The async sleep before try `tries` + 1: short (the lock is held for well under a millisecond per transaction), growing a little, jittered so waiters spread. */
function busyRetryDelayMs(tries: number, leftMs: number): number {
  const base = Math.min(8, 1 + tries);
  return Math.max(0, Math.min(leftMs, base * (0.5 + Math.random())));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** The size (bytes) SQLite truncates the WAL file back to once it has been checkpointed. */
export const walSizeLimitBytes = 16 * 1024 * 1024;

/**
 * SQLite's errors that a person can act on, as one line each (no stack):
 * another process holding the lock, a full disk, a failing disk. Each says
 * that nothing was written, which is true: the statement's transaction rolled back.
 */
function translateError(error: unknown, busyTimeoutMs: number, filePath: string): unknown {
  const code = (error as { code?: string })?.code ?? '';
  if (isBusy(error)) {
    return new JobsError(
      'database_busy',
      `The database is locked by another process; gave up after waiting ${busyTimeoutMs} ms (JOBS_BUSY_TIMEOUT_MS). Nothing was written.`,
    );
  }
  if (code === 'SQLITE_FULL') {
    return new JobsError('database_unavailable', `The disk holding ${filePath} is full. Nothing was written; free some space and it carries on.`);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    return new JobsError('database_unavailable', `Could not read or write ${filePath} (${code}: ${(error as Error).message}). Nothing was written.`);
  }
  return error;
}
