import type { Engine } from '../db/engine';

/**
 * Read-only. The database's own time, epoch ms: on a Turso / libSQL server
 * its clock, the one clock every machine using the database shares; on a local
 * file the host's clock, which every process on that file shares.
 */
export async function readDatabaseTime(engine: Engine): Promise<number> {
  const [row] = await engine.all<{ now: number }>(`SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS now`);
  return Number(row.now);
}
