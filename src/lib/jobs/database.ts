import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import { getEngine } from '../../db/client';
import type * as schema from '../../db/schema';

/**
 * The app's Drizzle database: the one its jobs live in, over the process's one
 * connection (a second SQLite engine on the same file in one process would not
 * see the first one's locks). An app's own tables work through it like any
 * Drizzle table, and `.later(params, { tx })` inside its transaction commits or
 * rolls back with the app's own writes. On a local file (better-sqlite3) a
 * transaction is synchronous, `db.transaction((tx) => { ... })`; on Turso or a
 * libSQL server it is `await db.transaction(async (tx) => { ... })`.
 */
export type AppDatabase = FileDatabase | RemoteDatabase;
/** On a local file (the default): synchronous transactions. */
export type FileDatabase = BetterSQLite3Database<typeof schema>;
/** On Turso or a libSQL server: asynchronous transactions. */
export type RemoteDatabase = LibSQLDatabase<typeof schema>;

/** The app's Drizzle database, opened and migrated on first use (see AppDatabase). */
export async function getDatabase(): Promise<AppDatabase> {
  return (await getEngine()).orm as unknown as AppDatabase;
}
