import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../db/engine';
import { migrationsDir } from '../db/migrate';

/**
 * Read-only. Why the database cannot serve this code yet, or null when it can:
 * it must answer a query and have every migration this code ships applied
 * (recorded in __drizzle_migrations by their creation time, as migrate() does).
 * Migrations newer than the code (a rolling deploy) are fine.
 */
export async function schemaProblem(engine: Engine, dir = migrationsDir): Promise<string | null> {
  const journal = JSON.parse(fs.readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  let applied: Set<number>;
  try {
    const rows = await engine.all<{ created_at: number }>('SELECT created_at FROM __drizzle_migrations');
    applied = new Set(rows.map((r) => Number(r.created_at)));
  } catch (error) {
    if (!/no such table/i.test((error as Error).message)) throw error;
    applied = new Set();
  }
  const missing = journal.entries.filter((entry) => !applied.has(entry.when)).map((entry) => entry.tag);
  return missing.length ? `the database schema is not current: migrations ${missing.join(', ')} are not applied` : null;
}
