import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { resetConfig } from '@/config/env';
import { closeEngine, getEngine } from '@/db/client';
import type { Engine } from '@/db/engine';
import { migrationsDir } from '@/db/migrate';

export interface TempDatabase {
  dir: string;
  file: string;
  url: string;
  engine(): Promise<Engine>;
}

/** A fresh temp folder per call. */
export function makeTempDir(prefix = 'fluent-jobs-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A real, migrated SQLite file in a temp folder for this test file: the
 * process's engine points at it (DATABASE_URL), and it is removed afterwards.
 */
export function useTempDatabase(env: Record<string, string> = {}): TempDatabase {
  const dir = makeTempDir();
  const file = path.join(dir, 'jobs.db');
  const url = `file:${file}`;
  beforeAll(async () => {
    await closeEngine();
    Object.assign(process.env, { DATABASE_URL: url, ...env });
    resetConfig();
    await getEngine();
  });
  afterAll(async () => {
    await closeEngine();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, file, url, engine: getEngine };
}

/**
 * A copy of the project's migrations up to (not including) the first whose tag
 * starts with `firstLeftOut`, in `dir`: a database migrated with it is one made
 * before that migration existed. Pass the returned folder to migrate().
 */
export function migrationsBefore(dir: string, firstLeftOut: string): string {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag.startsWith(firstLeftOut));
  if (at < 0) throw new Error(`No migration tagged ${firstLeftOut}*`);
  const folder = path.join(dir, `migrations-before-${firstLeftOut}`);
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true });
  const before = journal.entries.slice(0, at);
  for (const { tag } of before) fs.copyFileSync(path.join(migrationsDir, `${tag}.sql`), path.join(folder, `${tag}.sql`));
  fs.writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: before }));
  return folder;
}
