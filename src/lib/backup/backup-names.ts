import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The names the database-backup job gives its files: the time the backup
 * started, UTC to the millisecond, so that names sort as times do, and
 * `.enc` for an encrypted one. Pruning deletes only names of this form.
 * @example backupFileName(Date.UTC(2026, 11, 1, 3, 0, 0, 5), false) // 'jobs-backup-2026-12-01T03-00-00-005Z.db.gz'
 */
export function backupFileName(at: number, encrypted: boolean): string {
  return `jobs-backup-${new Date(at).toISOString().replace(/[:.]/g, '-')}.db.gz${encrypted ? '.enc' : ''}`;
}

const backupNamePattern = /^jobs-backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.db\.gz(\.enc)?$/;
/** The hidden work files of a backup under way: its VACUUM copy and its compressed file before the rename. */
const workFilePattern = /^\.jobs-backup-.+\.(copy|part)-[0-9a-f]{8}$/;

/** A hidden name beside `finalName` for one of its work files; a dot first keeps it out of every listing of backups. */
export function workFileName(finalName: string, kind: 'copy' | 'part'): string {
  return `.${finalName}.${kind}-${crypto.randomBytes(4).toString('hex')}`;
}

/** The backups this job made in `dir`, newest first. */
export function listBackups(dir: string): string[] {
  return readNames(dir).filter((name) => backupNamePattern.test(name)).sort().reverse();
}

/**
 * Deletes the backups in `dir` beyond the newest `keep`, never `current` (the
 * one just written, even if a clock set back made it sort lower), and work
 * files older than `staleAfterMs` left by a backup that died midway (one under
 * way is younger: the job's timeout is shorter). Files of any other name are
 * never touched. Returns the names of the backups deleted.
 */
export function pruneBackups(dir: string, keep: number, current: string, now: number, staleAfterMs: number): string[] {
  const others = listBackups(dir).filter((name) => name !== current);
  const doomed = others.slice(Math.max(0, keep - 1));
  for (const name of doomed) fs.rmSync(path.join(dir, name), { force: true });
  for (const name of readNames(dir).filter((n) => workFilePattern.test(n))) {
    const file = path.join(dir, name);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs > staleAfterMs) fs.rmSync(file, { force: true });
  }
  return doomed;
}

function readNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
