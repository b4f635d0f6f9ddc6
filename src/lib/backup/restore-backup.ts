import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { JobsError } from '../../core/errors';
import type { Engine } from '../../db/engine';
import { openFileEngine } from '../../db/file-engine';
import { integrityProblems, liveWorkersOn, tableRowCounts, type TableRowCounts } from '../../store/backup';
import { schemaProblem } from '../../store/readiness';
import { liveSince } from '../../store/workers';
import { readBackupFile } from './backup-file';

export interface RestoreRequest {
  /** The backup file. */
  file: string;
  /** The database file to write. */
  to: string;
  /** Replace `to` if it exists, keeping the old one beside it. */
  force: boolean;
  key?: Buffer;
  now: number;
  /** For telling live workers on `to` from dead ones (JOBS_LEASE_MS). */
  leaseMs: number;
  busyTimeoutMs: number;
}

export interface RestoreResult {
  file: string;
  to: string;
  encrypted: boolean;
  /** Size of the restored database file. */
  bytes: number;
  /** Where the file that was at `to` went (with its -wal and -shm), or null if there was none. */
  previous: string | null;
  /** PRAGMA integrity_check of the restored file: always 'ok' here (anything else is refused). */
  integrity: 'ok';
  /** Migrations the restored file lacks (each process applies them at start), or null when its schema is current. */
  schemaProblem: string | null;
  tables: TableRowCounts;
}

/** The files SQLite keeps beside a database in WAL mode; a restored file must never meet the old ones. */
const sidecars = ['-wal', '-shm'] as const;

/**
 * Restores a backup into the local database file `to`: decrypted and
 * gunzipped into a hidden file beside it, opened and checked there
 * (integrity_check, row counts, schema), and only then moved into place, so a
 * bad backup never replaces anything. An existing `to` needs `force` and is
 * kept beside it as `<name>.before-restore-<time>`, its -wal and -shm moved
 * with it (left in place, an old WAL would be replayed into the restored
 * file); a `to` that live workers still write to is refused whatever `force`
 * says. Every refusal is a JobsError that changed nothing.
 */
export async function restoreBackup(request: RestoreRequest): Promise<RestoreResult> {
  const { file, to } = request;
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new JobsError('not_found', `No backup file ${file}`);
  const existing = fs.statSync(to, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new JobsError('conflict', `${to} is a folder: give --to the path of a database file`);
  if (existing && !request.force) {
    throw new JobsError('conflict', `${to} exists: add --force to replace it (the old file is kept beside it as ${path.basename(to)}.before-restore-<time>), or give --to another path`);
  }
  if (existing) await refuseLiveWorkers(to, request);

  fs.mkdirSync(path.dirname(to), { recursive: true });
  const restoring = path.join(path.dirname(to), `.${path.basename(to)}.restoring-${crypto.randomBytes(4).toString('hex')}`);
  try {
    const kind = await readBackupFile(file, restoring, request.key);
    const checked = await checkRestored(restoring, to, request.busyTimeoutMs);
    const previous = existing ? moveAside(to, request.now) : null;
    if (existing) fs.chmodSync(restoring, existing.mode & 0o777); // the database's own permissions, not the work file's 0600
    fs.renameSync(restoring, to);
    syncFolder(path.dirname(to));
    return { file, to, encrypted: kind === 'encrypted', bytes: fs.statSync(to).size, previous, integrity: 'ok', ...checked };
  } finally {
    for (const suffix of ['', ...sidecars]) fs.rmSync(`${restoring}${suffix}`, { force: true });
  }
}

/** Workers heartbeating on the database at `path` would go on writing to the old file after the swap: their writes would be lost. */
async function refuseLiveWorkers(file: string, request: RestoreRequest): Promise<void> {
  let live: { alive: number; lastHeartbeatAt: number | null };
  let engine: Engine | undefined;
  try {
    engine = openFileEngine(file, request.busyTimeoutMs);
    live = await liveWorkersOn(engine, liveSince(request.now, request.leaseMs));
  } catch (error) {
    if (error instanceof JobsError) throw error; // busy, unreadable: not a reason to go on
    return; // not a database (SQLITE_NOTADB): nothing can be running on it
  } finally {
    await engine?.close();
  }
  if (live.alive > 0) {
    const ago = Math.max(0, Math.round((request.now - (live.lastHeartbeatAt ?? request.now)) / 1000));
    throw new JobsError('conflict', `${live.alive} worker${live.alive === 1 ? ' is' : 's are'} running on ${file} (last heartbeat ${ago} s ago): `
      + 'stop every worker, cron poller and the admin app first, then restore');
  }
}

/** Opens the decoded file and reads what the restore reports, or refuses it if integrity_check finds anything. */
async function checkRestored(restoring: string, to: string, busyTimeoutMs: number): Promise<Pick<RestoreResult, 'schemaProblem' | 'tables'>> {
  const engine = openFileEngine(restoring, busyTimeoutMs);
  try {
    const problems = await integrityProblems(engine);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new JobsError('bad_file', `The backup decodes to a database that fails integrity_check (${problems.slice(0, 3).join('; ')}); ${to} was left as it was`);
    }
    return { schemaProblem: await schemaProblem(engine), tables: await tableRowCounts(engine) };
  } catch (error) {
    if (error instanceof JobsError) throw error;
    throw new JobsError('bad_file', `The backup does not decode to a SQLite database (${(error as Error).message}); ${to} was left as it was`);
  } finally {
    await engine.close(); // the last connection: SQLite checkpoints and removes its -wal
  }
}

/** Renames `to` and its -wal / -shm to `<to>.before-restore-<time>` (and -wal / -shm after that, so the pair still opens as one database). */
function moveAside(to: string, now: number): string {
  const aside = `${to}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  if (fs.existsSync(aside)) throw new JobsError('conflict', `${aside} exists already; nothing was changed`);
  fs.renameSync(to, aside);
  for (const suffix of sidecars) {
    if (fs.existsSync(`${to}${suffix}`)) fs.renameSync(`${to}${suffix}`, `${aside}${suffix}`);
  }
  return aside;
}

function syncFolder(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
