import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openEngine } from '../../src/db/client';
import { newFilePageSize } from '../../src/db/file-engine';
import { migrate } from '../../src/db/migrate';
import { projectRoot } from '../harness';
import { fillJobs, settleFill } from '../scale-fill';

const cacheDir = path.join(projectRoot, '.bench', 'scale');
const say = (line: string) => process.stderr.write(`[scale] ${line}\n`);

/**
 * What the cached file depends on: the migrations (the schema), the page
 * size a new file gets, the fill's code and this file's. A change to any of
 * them fills a new file.
 */
function cacheKey(count: number): string {
  const hash = crypto.createHash('sha256').update(`${count} ${newFilePageSize}`);
  const migrations = path.join(projectRoot, 'drizzle');
  for (const f of fs.readdirSync(migrations).filter((name) => name.endsWith('.sql')).sort()) hash.update(fs.readFileSync(path.join(migrations, f)));
  for (const f of ['bench/scale-fill.ts', 'bench/scale/finished-table.ts']) hash.update(fs.readFileSync(path.join(projectRoot, f)));
  return hash.digest('hex').slice(0, 12);
}

export interface FinishedTable {
  file: string;
  /** Relative to the project root, without spaces: the harness splits an --extra command on spaces. */
  relative: string;
  mix: string;
}

/**
 * A migrated database holding `count` finished jobs and no work (bench/scale-fill.ts
 * with finishedOnly: a week of jobs, about 94% completed, 5% failed, 1% cancelled),
 * one job_attempts row per job that ran, the change feed folded and the WAL
 * checkpointed into the file. Filled once and kept in .bench/scale/ (a few hundred
 * MB for a million jobs); benches copy it. Files of an older schema are removed.
 */
export async function finishedTable(count: number): Promise<FinishedTable> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const name = `finished-${count}-${cacheKey(count)}.db`;
  const file = path.join(cacheDir, name);
  const mixFile = `${file}.mix`;
  if (!fs.existsSync(file) || !fs.existsSync(mixFile)) {
    const stale = (f: string) => (f.startsWith(`finished-${count}-`) && !f.startsWith(name)) || f.startsWith('filling-');
    for (const old of fs.readdirSync(cacheDir).filter(stale)) fs.rmSync(path.join(cacheDir, old), { force: true });
    const filling = path.join(cacheDir, `filling-${process.pid}.db`);
    const engine = await openEngine(`file:${filling}`, undefined, 5_000);
    try {
      const t0 = performance.now();
      await migrate(engine);
      const { byState } = await fillJobs(engine, count, Date.now(), 'uniform', 7, { finishedOnly: true });
      // The attempt each finished job's last run left (the completion of a real worker writes one).
      await engine.run(`INSERT INTO job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error)
                        SELECT id, attempts, 'bench-history', started_at, completed_at, state, error FROM jobs WHERE started_at IS NOT NULL`);
      await settleFill(engine);
      const mix = Object.entries(byState).sort((a, b) => b[1] - a[1]).map(([state, n]) => `${state} ${n.toLocaleString('en-US')}`).join(', ');
      fs.writeFileSync(`${filling}.mix`, mix);
      say(`filled ${count.toLocaleString('en-US')} finished jobs (${mix}) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } finally {
      await engine.close();
    }
    for (const f of [`${filling}-wal`, `${filling}-shm`]) fs.rmSync(f, { force: true });
    fs.renameSync(`${filling}.mix`, mixFile);
    fs.renameSync(filling, file); // last: a fill cut short never becomes the cached file
  }
  const mix = fs.readFileSync(mixFile, 'utf8');
  say(`table of ${count.toLocaleString('en-US')} finished jobs: ${path.relative(projectRoot, file)} (${(fs.statSync(file).size / 1e6).toFixed(0)} MB; ${mix})`);
  return { file, relative: path.relative(projectRoot, file), mix };
}
