import type { Engine, SqlArg } from '../db/engine';

/**
 * Runs a DELETE and returns how many rows it removed, read with SQLite's
 * changes() in the same write batch rather than from the driver's
 * rowsAffected: one round trip either way, and right on every server
 * (tursodb answers rowsAffected 0 for every write). RETURNING would send
 * every deleted row back over the network instead.
 */
export async function countedDelete(engine: Engine, sql: string, args: SqlArg[]): Promise<number> {
  const [, [{ n }]] = await engine.batch([{ sql, args }, { sql: 'SELECT changes() AS n' }]);
  return Number(n);
}
