import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileEngine } from '@/db/file-engine';
import { makeTempDir } from '../helpers/db';
import { walCommits } from '../helpers/wal-commits';

const dir = makeTempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function freshEngine(name: string) {
  const file = path.join(dir, `${name}.db`);
  const engine = openFileEngine(file, 5000);
  await engine.run('CREATE TABLE t (v INTEGER)');
  return { engine, file };
}

describe('the file engine\'s deferred batch', () => {
  it('is built when its group runs, after the batches asked before it in that turn, and commits with them', async () => {
    const { engine, file } = await freshEngine('joins');
    const before = walCommits(file);
    let builtAfter: number | null = null;
    const first = engine.batch([{ sql: 'INSERT INTO t (v) VALUES (1)' }]);
    const second = engine.batch([{ sql: 'INSERT INTO t (v) VALUES (2)' }]);
    let asked = 0;
    const deferred = engine.deferredBatch(() => {
      builtAfter = asked; // how many more batches were asked after it, by the time it is built
      return [{ sql: 'SELECT count(*) AS n FROM t' }];
    });
    const third = engine.batch([{ sql: 'INSERT INTO t (v) VALUES (3)' }]);
    asked = 1;
    expect(builtAfter).toBeNull(); // not built when asked for
    const [rows] = await deferred;
    await Promise.all([first, second, third]);
    expect(builtAfter).toBe(1);
    expect(rows).toEqual([{ n: 2 }]); // it runs in the order asked: after the first two, before the third
    expect(walCommits(file) - before).toBe(1); // one commit for all four
    await engine.close();
  });

  it('writes nothing when its build returns no statement', async () => {
    const { engine, file } = await freshEngine('empty');
    const before = walCommits(file);
    expect(await engine.deferredBatch(() => [])).toEqual([]);
    expect(walCommits(file)).toBe(before);
    await engine.close();
  });

  it('fails alone when its build throws, and the batches of its turn still commit', async () => {
    const { engine } = await freshEngine('throws');
    const ok = engine.batch([{ sql: 'INSERT INTO t (v) VALUES (1)' }]);
    const bad = engine.deferredBatch(() => {
      throw new Error('cannot build');
    });
    await expect(bad).rejects.toThrow('cannot build');
    await ok;
    expect(await engine.all('SELECT v FROM t')).toEqual([{ v: 1 }]);
    await engine.close();
  });
});
