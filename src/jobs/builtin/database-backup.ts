import { z } from 'zod';
import { getConfig, type Config } from '@/config/env';
import { getEngine, resolveDatabaseUrl } from '@/db/client';
import { backupDir, remoteBackupError, takeBackup, type BackupResult } from '@/lib/backup/take-backup';
import { Job } from '@/lib/jobs';

const backupParams = z
  .object({
    keep: z.number().int().min(1).max(1000).optional()
      .describe('backups kept, this one included; default JOBS_BACKUP_KEEP (7)'),
  })
  .strict();

export type DatabaseBackupParams = z.input<typeof backupParams>;
export type DatabaseBackupResult = BackupResult;

/**
 * Built in: a consistent online backup of the jobs database while workers go
 * on writing (VACUUM INTO, see src/store/backup.ts), with the row count of
 * every table, gzipped and, with JOBS_BACKUP_KEY, encrypted, into
 * JOBS_BACKUP_DIR (default <data folder>/backups); older backups beyond
 * `keep` are deleted. `bin/jobs restore <file>` reads one back. A local file
 * only: on Turso / a libSQL server it fails at once, naming Turso's own
 * restore. Scheduled only when JOBS_BACKUP_CRON is set.
 */
export class DatabaseBackupJob extends Job<DatabaseBackupParams, DatabaseBackupResult> {
  static jobName = 'database-backup';
  static description = 'A consistent online copy of the jobs database (VACUUM INTO), gzipped, optionally encrypted (JOBS_BACKUP_KEY), the newest N kept; restore with bin/jobs restore';
  static params = backupParams;
  // One backup at a time (the schedule's and one run by hand): each reads the whole file.
  static options = {
    queue: 'maintenance', priority: 'low' as const, maxAttempts: 2, timeout: '1h',
    concurrencyKey: 'database-backup', concurrencyLimit: 1,
  };
  static schedule = (config: Config) => config.backupCron
    ? { cron: config.backupCron, description: 'Backs the jobs database up into JOBS_BACKUP_DIR (JOBS_BACKUP_CRON)' }
    : undefined;

  protected async perform(params: DatabaseBackupParams): Promise<DatabaseBackupResult> {
    const config = getConfig();
    // Before getEngine(): on a remote database that would already talk to the server.
    const target = resolveDatabaseUrl(config.databaseUrl);
    if (target.kind === 'remote') throw remoteBackupError(target.location);
    const result = await takeBackup(await getEngine(), {
      dir: backupDir(config), key: config.backupKey, keep: params.keep ?? config.backupKeep, now: Date.now(),
      busyTimeoutMs: config.busyTimeoutMs, signal: this.signal, onProgress: (percent, message) => this.updateProgress(percent, message),
    });
    this.logger.info('backup written', { file: result.file, bytes: result.bytes, encrypted: result.encrypted, deleted: result.deleted });
    return result;
  }
}
