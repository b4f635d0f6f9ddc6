import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { newFilePageSize, openFileEngine } from '@/db/file-engine';
import { migrate } from '@/db/migrate';
import { makeTempDir } from '../helpers/db';

const dir = makeTempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pageSizeOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('page_size', { simple: true });
  } finally {
    db.close();
  }
};

describe('the page size of a database file', () => {
  it('is newFilePageSize for a file the engine creates, migrated, in WAL mode', async () => {
    expect(newFilePageSize).toBeLessThan(4096); // smaller pages are what makes each commit cheaper
    const file = path.join(dir, 'new.db');
    const engine = openFileEngine(file, 5000);
    await migrate(engine);
    const [{ journal_mode: mode }] = await engine.all<{ journal_mode: string }>('PRAGMA journal_mode');
    await engine.close();
    expect(mode).toBe('wal');
    expect(pageSizeOf(file)).toBe(newFilePageSize);
  });

  it('stays as it was for a file made before, whose rows are all still there', async () => {
    const file = path.join(dir, 'old.db');
    const old = new Database(file); // SQLite's default page size, as files made before this change have
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE t (v TEXT)');
    const insert = old.prepare('INSERT INTO t (v) VALUES (?)');
    old.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`row ${i}`);
    })();
    old.close();
    expect(pageSizeOf(file)).toBe(4096);

    const engine = openFileEngine(file, 5000);
    await engine.batch([{ sql: `INSERT INTO t (v) VALUES ('after')` }]);
    const [{ n }] = await engine.all<{ n: number }>('SELECT count(*) AS n FROM t');
    await engine.close();
    expect(n).toBe(2001);
    expect(pageSizeOf(file)).toBe(4096);
  });
});
