import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaults } from '../../config/defaults';
import type { Config } from '../../config/env';
import { NonRetryableError } from '../../core/errors';
import { dataDir } from '../../db/data-dir';
import type { Engine } from '../../db/engine';
import { projectRoot } from '../../db/migrate';
import { copyDatabaseInto, type TableRowCounts } from '../../store/backup';
import { writeBackupFile } from './backup-file';
import { backupFileName, pruneBackups, workFileName } from './backup-names';

export interface BackupResult {
  /** Absolute path of the backup written. */
  file: string;
  /** Its size on disk, compressed (and encrypted). */
  bytes: number;
  encrypted: boolean;
  /** The size of the database copy before compression. */
  databaseBytes: number;
  /** Rows per table in the copy: what a restore of this file must show. */
  tables: TableRowCounts;
  /** Older backups deleted to keep `keep`, by name. */
  deleted: string[];
  durationMs: number;
}

export interface BackupOptions {
  dir: string;
  /** 32 bytes: encrypt with AES-256-GCM; unset, only compress. */
  key?: Buffer;
  /** Backups kept in `dir`, this one included. */
  keep: number;
  /** The backup's time, in its name. */
  now: number;
  busyTimeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (percent: number, message: string) => Promise<void>;
}

/** Where backups go: JOBS_BACKUP_DIR (from the project root), else backups/ in the data folder. */
export function backupDir(config: Config): string {
  return config.backupDir ? path.resolve(projectRoot, config.backupDir) : path.join(dataDir(config), defaults.backupDirName);
}

/**
 * Why a database at `location` cannot be backed up by this job: a remote one
 * (Turso, a libSQL server) has no file here to copy, and its host keeps
 * backups of its own. Thrown before anything talks to the server.
 */
export function remoteBackupError(location: string): NonRetryableError {
  return new NonRetryableError(
    `database-backup copies a local SQLite file, and this database is remote (${location.replace(/\?.*$/, '')}). `
    + 'Use Turso\'s own backups instead: point-in-time restore into a new database with '
    + '`turso db create <new-db> --from-db <db> --timestamp <ISO time>` (a libSQL server of your own: its host\'s backups)',
  );
}

/**
 * Takes one backup of a local database file while other processes write to
 * it: a consistent VACUUM INTO copy with the row counts of its tables
 * (store/backup.ts), gzipped and optionally encrypted (backup-file.ts) into a
 * hidden work file in `dir`, published under its time-sortable name only once
 * whole and on disk (a hard link, which never replaces a file), then the
 * backups beyond `keep` deleted. The copy is removed whatever happens.
 */
export async function takeBackup(engine: Engine, options: BackupOptions): Promise<BackupResult> {
  if (engine.kind !== 'file') throw remoteBackupError(engine.location);
  const started = performance.now();
  fs.mkdirSync(options.dir, { recursive: true });
  const name = backupFileName(options.now, Boolean(options.key));
  const file = path.join(options.dir, name);
  const copy = path.join(options.dir, workFileName(name, 'copy'));
  const part = path.join(options.dir, workFileName(name, 'part'));
  try {
    const tables = await copyDatabaseInto(engine, copy, options.busyTimeoutMs, options.signal);
    const databaseBytes = fs.statSync(copy).size;
    await options.onProgress?.(50, `copied ${databaseBytes} bytes; compressing${options.key ? ' and encrypting' : ''}`);
    options.signal?.throwIfAborted();
    const bytes = await writeBackupFile(copy, part, options.key);
    options.signal?.throwIfAborted();
    publish(part, file);
    const deleted = pruneBackups(options.dir, options.keep, name, Date.now(), defaults.backupStaleWorkFileMs);
    return { file, bytes, encrypted: Boolean(options.key), databaseBytes, tables, deleted, durationMs: Math.round(performance.now() - started) };
  } finally {
    fs.rmSync(copy, { force: true });
    fs.rmSync(part, { force: true });
  }
}

/** Gives the finished work file its final name: a link (refused if the name is taken) and the folder synced, so a crash leaves either no backup or a whole one. */
function publish(part: string, file: string): void {
  try {
    fs.linkSync(part, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`A backup named ${path.basename(file)} already exists; it was left as it is`);
    throw error;
  }
  fs.rmSync(part, { force: true });
  const fd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
