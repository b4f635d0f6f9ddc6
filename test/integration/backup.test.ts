import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, useTempDatabase } from '../helpers/db';
import { runJobsCli, spawnProcess, spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { resetConfig } from '@/config/env';
import { closeEngine, openEngine } from '@/db/client';
import { openRemoteEngine } from '@/db/remote-engine';
import { DatabaseBackupJob, DemoJob } from '@/jobs';
import { backupFileKind } from '@/lib/backup/backup-file';
import { listBackups } from '@/lib/backup/backup-names';
import { restoreBackup } from '@/lib/backup/restore-backup';
import { takeBackup } from '@/lib/backup/take-backup';
import { integrityProblems, tableRowCounts } from '@/store/backup';
import { schemaProblem } from '@/store/readiness';

const db = useTempDatabase();
const cliEnv = (extra: Record<string, string> = {}) => ({ DATABASE_URL: db.url, ...extra });
const key = crypto.randomBytes(32);
const backupTo = async (dir: string, options: { key?: Buffer; keep?: number; now?: number } = {}) =>
  takeBackup(await db.engine(), { dir, key: options.key, keep: options.keep ?? 7, now: options.now ?? Date.now(), busyTimeoutMs: 5_000 });
const restoreArgs = (file: string, to: string) => ({ file, to, force: false, key, now: Date.now(), leaseMs: 30_000, busyTimeoutMs: 5_000 });
const attemptsSoFar = async () => Number((await (await db.engine()).all<{ n: number }>('SELECT count(*) AS n FROM job_attempts'))[0].n);

/** What a restored file holds, read on its own connection: integrity, schema and row counts. */
async function inspect(file: string) {
  const engine = await openEngine(`file:${file}`);
  try {
    return { integrity: await integrityProblems(engine), schema: await schemaProblem(engine), tables: await tableRowCounts(engine) };
  } finally {
    await engine.close();
  }
}

describe('database-backup', () => {
  it('taken while 4 worker processes run and write jobs, restores to an intact database with the row counts the backup recorded', async () => {
    const total = 4_000;
    await DemoJob.laterMany(Array.from({ length: total }, () => ({ steps: 2, delayMs: 20 })));
    const workers = Array.from({ length: 4 }, () => spawnWorker({ DATABASE_URL: db.url, JOBS_CONCURRENCY: '5' }));
    await Promise.all(workers.map((w) => w.waitForOutput('started')));
    await waitFor(async () => (await attemptsSoFar()) >= 200, '200 jobs to finish');

    const { data: backup } = await DatabaseBackupJob.now({});
    expect(backup.file).toBe(path.join(db.dir, 'backups', path.basename(backup.file)));
    expect(path.basename(backup.file)).toMatch(/^jobs-backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.db\.gz$/);
    expect(backup).toMatchObject({ encrypted: false, bytes: fs.statSync(backup.file).size, deleted: [] });
    expect(backupFileKind(backup.file)).toBe('gzip');
    // Mid-run: every job was in, some but not all had ended.
    expect(backup.tables.jobs).toBe(total);
    expect(backup.tables.job_attempts).toBeGreaterThanOrEqual(200);
    expect(backup.tables.job_attempts).toBeLessThan(total);
    expect(backup.tables.workers).toBe(4);

    // Restoring over the live file while its workers run is refused, and changes nothing.
    const refused = await runJobsCli(['restore', backup.file, '--force'], cliEnv());
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^error: 4 workers are running on .*jobs\.db \(last heartbeat \d+ s ago\): stop every worker, cron poller and the admin app first, then restore$/);
    expect(fs.readdirSync(db.dir).filter((n) => n.includes('before-restore'))).toEqual([]);

    for (const worker of workers) expect(await stopProcess(worker)).toBe(0);
    const to = path.join(makeTempDir(), 'restored.db');
    const restored = await runJobsCli(['restore', backup.file, '--to', to, '--json'], cliEnv());
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual({
      file: backup.file, to, encrypted: false, bytes: fs.statSync(to).size, previous: null, integrity: 'ok', schemaProblem: null, tables: backup.tables,
    });
    expect(await inspect(to)).toEqual({ integrity: ['ok'], schema: null, tables: backup.tables });
    expect(fs.readdirSync(path.dirname(to))).toEqual(['restored.db']); // no work file, no -wal left behind
  });

  it('an encrypted backup restores with its key; with none, another key, or a changed byte it is refused in one line, exit 1', async () => {
    const dir = makeTempDir();
    const backup = await backupTo(dir, { key });
    expect(backup.encrypted).toBe(true);
    expect(path.basename(backup.file)).toMatch(/\.db\.gz\.enc$/);
    const bytes = fs.readFileSync(backup.file);
    expect(bytes.subarray(0, 9)).toEqual(Buffer.from('FJBACKUP\x01', 'latin1'));
    expect(fs.statSync(backup.file).mode & 0o777).toBe(0o600);

    const to = path.join(makeTempDir(), 'jobs.db');
    const result = await restoreBackup(restoreArgs(backup.file, to));
    expect(result).toMatchObject({ encrypted: true, integrity: 'ok', schemaProblem: null, tables: backup.tables });
    expect((await inspect(to)).tables).toEqual(backup.tables);

    const elsewhere = (name: string) => path.join(makeTempDir(), name);
    const noKey = await runJobsCli(['restore', backup.file, '--to', elsewhere('a.db')], cliEnv());
    expect([noKey.code, noKey.stderr.trim()]).toEqual([1, `error: ${backup.file} is encrypted: set JOBS_BACKUP_KEY to the key it was made with`]);
    const wrongKey = await runJobsCli(['restore', backup.file, '--to', elsewhere('b.db')], cliEnv({ JOBS_BACKUP_KEY: crypto.randomBytes(32).toString('base64') }));
    expect([wrongKey.code, wrongKey.stderr.trim()]).toEqual([1, `error: ${backup.file} was encrypted with another key than JOBS_BACKUP_KEY`]);

    const altered = path.join(dir, 'altered.db.gz.enc');
    const copy = Buffer.from(bytes);
    copy[copy.length - 100] ^= 1; // one bit of the ciphertext
    fs.writeFileSync(altered, copy);
    const target = elsewhere('c.db');
    const damaged = await runJobsCli(['restore', altered, '--to', target], cliEnv({ JOBS_BACKUP_KEY: key.toString('hex') }));
    expect(damaged.code).toBe(1);
    expect(damaged.stderr.trim()).toMatch(new RegExp(`^error: ${altered.replaceAll('.', '\\.')} is damaged`));
    expect(fs.readdirSync(path.dirname(target))).toEqual([]); // nothing half-written is left

    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a backup');
    const notBackup = await runJobsCli(['restore', path.join(dir, 'notes.txt'), '--to', elsewhere('d.db')], cliEnv());
    expect([notBackup.code, notBackup.stderr.trim()]).toEqual([1, `error: ${path.join(dir, 'notes.txt')} is not a Fluent Jobs backup: it is neither gzip nor an encrypted backup (FJBACKUP)`]);
  });

  it('keeps the newest `keep` backups, deleting only older files of its own name pattern', async () => {
    const dir = makeTempDir();
    const t0 = Date.parse('2026-12-01T03:00:00Z');
    const foreign = ['notes.txt', 'jobs-backup-by-hand.db.gz', 'jobs.db'];
    for (const name of foreign) fs.writeFileSync(path.join(dir, name), 'mine');
    const made = [];
    for (let i = 0; i < 4; i++) made.push(await backupTo(dir, { keep: 2, now: t0 + i * 86_400_000, key: i % 2 ? key : undefined }));
    expect(made.map((b) => b.deleted)).toEqual([[], [], [path.basename(made[0].file)], [path.basename(made[1].file)]]);
    expect(listBackups(dir)).toEqual(['jobs-backup-2026-12-04T03-00-00-000Z.db.gz.enc', 'jobs-backup-2026-12-03T03-00-00-000Z.db.gz']);
    expect(fs.readdirSync(dir).sort()).toEqual([...foreign, ...listBackups(dir)].sort());
  });

  it('restore refuses an existing target without --force; with it, keeps the old file (and what its WAL held) beside the restored one', async () => {
    const backup = await backupTo(makeTempDir());
    const dir = makeTempDir();
    const to = path.join(dir, 'jobs.db');
    expect((await runJobsCli(['restore', backup.file, '--to', to], cliEnv())).code).toBe(0);
    // A process that wrote to the old file and died before its WAL was checkpointed.
    const writer = spawnProcess(['-e', `const Database = require('better-sqlite3'); const db = new Database(${JSON.stringify(to)});
      db.pragma('wal_autocheckpoint = 0'); db.exec("INSERT INTO activity (at, actor, action) VALUES (1, 'cli', 'written.before.restore')");
      process.kill(process.pid, 'SIGKILL');`]);
    await writer.exited;
    expect(fs.existsSync(`${to}-wal`)).toBe(true);

    const refused = await runJobsCli(['restore', backup.file, '--to', to], cliEnv());
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`error: ${to} exists: add --force to replace it (the old file is kept beside it as jobs.db.before-restore-<time>), or give --to another path`);

    const forced = await runJobsCli(['restore', backup.file, '--to', to, '--force', '--json'], cliEnv());
    expect(forced.code).toBe(0);
    const { previous } = JSON.parse(forced.stdout);
    expect(path.basename(previous)).toMatch(/^jobs\.db\.before-restore-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/);
    expect((await inspect(previous)).tables.activity).toBe(backup.tables.activity + 1);
    expect(await inspect(to)).toEqual({ integrity: ['ok'], schema: null, tables: backup.tables });
  });

  it('restore: a missing argument is a usage error (exit 2), a missing file exit 1, and a remote DATABASE_URL is no target', async () => {
    const usage = await runJobsCli(['restore'], cliEnv());
    expect([usage.code, usage.stderr]).toEqual([2, 'error: Give one backup file.\nUsage: bin/jobs restore <backup-file> [--to path] [--force] [--json]\n']);
    expect((await runJobsCli(['restore', 'a', 'b'], cliEnv())).code).toBe(2);
    expect((await runJobsCli(['restore', 'x.db.gz', '--bogus'], cliEnv())).code).toBe(2);
    const missing = await runJobsCli(['restore', '/nonexistent/x.db.gz'], cliEnv());
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'error: No backup file /nonexistent/x.db.gz']);
    const backup = await backupTo(makeTempDir());
    const remote = await runJobsCli(['restore', backup.file], { DATABASE_URL: 'libsql://jobs-example.turso.io' });
    expect(remote.code).toBe(1);
    expect(remote.stderr.trim()).toMatch(/^error: The configured database is remote \(libsql:\/\/jobs-example\.turso\.io\), and restore writes a local SQLite file: give --to <path>.*turso db create <new-db> --from-db <db> --timestamp <ISO time>\)$/);
  });

  it('on a remote database fails at once, without retries and before any connection, naming Turso\'s own restore', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const turso = /this database is remote \(http:\/\/127\.0\.0\.1:\d+\)\. Use Turso's own backups instead: .*`turso db create <new-db> --from-db <db> --timestamp <ISO time>`/;
    try {
      // As the job runs in a process whose DATABASE_URL is remote.
      await closeEngine();
      process.env.DATABASE_URL = url;
      resetConfig();
      const failed = await DatabaseBackupJob.now({}).catch((error: Error) => error);
      expect(failed).toMatchObject({ message: expect.stringMatching(turso), metadata: { status: 'failed' } });
      expect((failed as Error).cause).toMatchObject({ name: 'NonRetryableError' }); // what ends a job without its retries
      // And given a remote engine.
      const engine = openRemoteEngine(url, undefined);
      await expect(takeBackup(engine, { dir: makeTempDir(), keep: 1, now: Date.now(), busyTimeoutMs: 1_000 })).rejects.toThrow(turso);
      await engine.close();
      expect(connections).toBe(0);
    } finally {
      process.env.DATABASE_URL = db.url;
      resetConfig();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
