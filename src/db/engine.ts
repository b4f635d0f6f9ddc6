import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema';

export type SqlArg = string | number | bigint | null;
export type Row = Record<string, unknown>;
export interface Statement {
  sql: string;
  args?: SqlArg[];
}

/** Drizzle over either driver; queries are awaited the same way on both. */
export type DrizzleDb = BaseSQLiteDatabase<'sync' | 'async', unknown, typeof schema>;

/**
 * The one small interface the store talks to, over better-sqlite3 for a local
 * file or @libsql/client for a Turso / libSQL server. One engine per process.
 * The store's hot transitions use hand-written statements through all/run/batch
 * (prepared once and cached on a file); reads that compose filters use Drizzle.
 */
export interface Engine {
  readonly kind: 'file' | 'remote';
  /** The file path, or the server URL without credentials. */
  readonly location: string;
  readonly orm: DrizzleDb;
  /** Rows of a SELECT, or of a write with RETURNING. */
  all<T = Row>(sql: string, args?: SqlArg[]): Promise<T[]>;
  /**
   * A write without RETURNING. Resolves with nothing: a server's `rowsAffected`
   * cannot be trusted (tursodb reports 0 for every write), so a caller that
   * needs a count selects `changes()` in the same batch (see countedDelete).
   */
  run(sql: string, args?: SqlArg[]): Promise<void>;
  /** Statements run as one atomic write transaction; resolves with each statement's rows. */
  batch(statements: Statement[]): Promise<Row[][]>;
  /**
   * As batch, but `build` makes the statements when the batch runs, for work
   * whose size is only known then: a worker's claim is sized by every slot
   * freed until its transaction begins. On a file it joins the batches asked
   * for in the same event-loop turn (say, the settles of the jobs that freed
   * those slots), so they share one commit; on a server it is built and sent
   * at once. A build that returns no statement resolves with no rows and
   * writes nothing.
   */
  deferredBatch(build: () => Statement[]): Promise<Row[][]>;
  close(): Promise<void>;
}
