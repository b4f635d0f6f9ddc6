import path from 'node:path';
import { getConfig } from '../../config/env';
import { JobsError } from '../../core/errors';
import { resolveDatabaseUrl } from '../../db/client';
import { restoreBackup } from '../../lib/backup/restore-backup';
import { onePositional, parseCommand } from '../args';
import { commandList } from '../command-list';
import { renderRestore } from '../format-restore';
import type { Command } from '../io';

const { usage } = commandList.restore;

/**
 * The folder bin/jobs was started in (it changes to the project root before
 * node starts, and says where it was): relative paths the user typed are from there.
 */
const callerDir = () => process.env.JOBS_CLI_CALLER_DIR || process.cwd();

export const restoreCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, { to: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } }, usage);
    const file = path.resolve(callerDir(), onePositional(positionals, 'backup file', usage));
    if (values.to === '') throw new JobsError('usage', `--to needs a file path.\nUsage: ${usage}`);
    const config = getConfig();
    const to = values.to === undefined ? configuredFile(config.databaseUrl) : path.resolve(callerDir(), values.to);
    // Never getEngine() here: this process must not hold the file it is about to replace.
    const result = await restoreBackup({
      file, to, force: Boolean(values.force), key: config.backupKey, now: Date.now(), leaseMs: config.leaseMs, busyTimeoutMs: config.busyTimeoutMs,
    });
    io.out(values.json ? JSON.stringify(result, null, 2) : renderRestore(result));
    return 0;
  },
};

/** The local database file DATABASE_URL names; a remote database cannot be the target of a file restore. */
function configuredFile(url: string): string {
  const target = resolveDatabaseUrl(url);
  if (target.kind === 'file') return target.location;
  throw new JobsError('conflict', `The configured database is remote (${target.location.replace(/\?.*$/, '')}), and restore writes a local SQLite file: `
    + 'give --to <path> for a file, and restore a Turso database with Turso\'s own point-in-time restore '
    + '(turso db create <new-db> --from-db <db> --timestamp <ISO time>)');
}
