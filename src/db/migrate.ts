import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine, Statement } from './engine';

/**
 * The project root, the folder holding this project's package.json: two up from
 * src/db/, whatever the working directory of the process. Next.js bundles drop
 * import.meta.dirname but keep import.meta.url pointing at this source file.
 */
export const projectRoot = path.resolve(import.meta.dirname ?? path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where drizzle-kit writes migrations. */
export const migrationsDir = path.join(projectRoot, 'drizzle');

interface Migration {
  tag: string;
  createdAt: number;
  hash: string;
  statements: string[];
}

/**
 * Applies the drizzle-kit migrations that the database has not seen, each as
 * one atomic write batch recorded in `__drizzle_migrations` (the table
 * drizzle-kit's own migrator uses, so both agree). Safe when several processes
 * start at once: a process that loses the race finds its migration already
 * recorded and carries on. Returns the tags it applied.
 */
export async function migrate(engine: Engine, dir = migrationsDir): Promise<string[]> {
  await engine.run(
    'CREATE TABLE IF NOT EXISTS __drizzle_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)',
  );
  const applied: string[] = [];
  for (const migration of readMigrations(dir)) {
    if (await isApplied(engine, migration)) continue;
    const statements: Statement[] = migration.statements.map((sql) => ({ sql }));
    statements.push({
      sql: 'INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)',
      args: [migration.hash, migration.createdAt],
    });
    try {
      await engine.batch(statements);
      applied.push(migration.tag);
    } catch (error) {
      if (!(await isApplied(engine, migration))) throw error; // not a lost race: a real failure
    }
  }
  return applied;
}

async function isApplied(engine: Engine, migration: Migration): Promise<boolean> {
  try {
    const rows = await engine.all('SELECT 1 FROM __drizzle_migrations WHERE created_at = ? LIMIT 1', [migration.createdAt]);
    return rows.length > 0;
  } catch {
    return false; // no migrations table yet
  }
}

function readMigrations(dir: string): Migration[] {
  const journalFile = path.join(dir, 'meta', '_journal.json');
  if (!fs.existsSync(journalFile)) throw new Error(`No migrations found at ${dir}`);
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string; when: number }[] };
  return journal.entries.map((entry) => {
    const text = fs.readFileSync(path.join(dir, `${entry.tag}.sql`), 'utf8');
    return {
      tag: entry.tag,
      createdAt: entry.when,
      hash: crypto.createHash('sha256').update(text).digest('hex'),
      statements: text.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean),
    };
  });
}
