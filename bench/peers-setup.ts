import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { localPeersDir, sharedPeersDir } from './harness';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * Copies the shared (read-only) harness into .bench/peers, leaving out its
 * node_modules and results, and replacing whatever an older copy had, so the
 * copy always matches the shared folder. Our own node_modules there are kept.
 */
export function syncPeers(): string {
  const source = sharedPeersDir();
  if (!fs.existsSync(path.join(source, 'run.mjs'))) {
    throw new Error(`No peer harness at ${source} (set PEERS_DIR to the folder holding run.mjs)`);
  }
  fs.mkdirSync(localPeersDir, { recursive: true });
  for (const entry of fs.readdirSync(localPeersDir)) {
    if (entry !== 'node_modules') fs.rmSync(path.join(localPeersDir, entry), { recursive: true, force: true });
  }
  const skip = new Set(['node_modules', 'results']);
  fs.cpSync(source, localPeersDir, {
    recursive: true,
    filter: (from) => !skip.has(path.relative(source, from).split(path.sep)[0]),
  });
  makeWritable(localPeersDir); // the shared files are read-only; the next sync must be able to replace them
  return localPeersDir;
}

function makeWritable(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const file = path.join(dir, entry.name);
    fs.chmodSync(file, fs.statSync(file).mode | 0o200);
    if (entry.isDirectory()) makeWritable(file);
  }
}

/**
 * Runs `npm ci` in the copy when its node_modules is missing or was installed
 * from another lockfile (a hash of package.json + package-lock.json is kept
 * in node_modules). Returns false, after saying why, if the install failed.
 */
export function ensurePeerDependencies(dir = localPeersDir): boolean {
  const hash = crypto.createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(dir, f)));
  const want = hash.digest('hex');
  const stamp = path.join(dir, 'node_modules', '.fluent-jobs-lock.sha256');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return true;
  log(`installing the peers' dependencies: npm ci in ${dir} (compiles better-sqlite3, 1-2 min)`);
  // stdout to our stderr: our stdout is for the results.
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 2, 2] });
  if (npm.status !== 0) {
    log(`npm ci failed (${npm.error?.message ?? `exit ${npm.status}`}); the peers cannot run, only ours will`);
    log('  it needs build tools for better-sqlite3: apt-get install -y build-essential python3');
    return false;
  }
  fs.writeFileSync(stamp, `${want}\n`);
  return true;
}

function onPath(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, binary);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

/** The folder with initdb and pg_ctl, found as the harness finds it: $PG_BIN, `pg_config --bindir`, then PATH. */
function findPgBin(): string | null {
  const has = (d: string) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl'));
  if (process.env.PG_BIN) return has(process.env.PG_BIN) ? process.env.PG_BIN : null;
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (cfg.status === 0 && has(cfg.stdout.trim())) return cfg.stdout.trim();
  const initdb = onPath('initdb');
  return initdb && has(path.dirname(initdb)) ? path.dirname(initdb) : null;
}

export interface Services {
  redis: string | null;
  pgBin: string | null;
}

/** Looks for the binaries BullMQ's and graphile-worker's services need, and says what to install if one is missing. */
export function checkServices(): Services {
  const redis = process.env.REDIS_SERVER ? (fs.existsSync(process.env.REDIS_SERVER) ? process.env.REDIS_SERVER : null) : onPath('redis-server');
  const pgBin = findPgBin();
  const missing = [
    ...(redis ? [] : ['redis-server (for BullMQ)']),
    ...(pgBin ? [] : ['PostgreSQL initdb/pg_ctl (for graphile-worker)']),
  ];
  if (missing.length) {
    const packages = [...(redis ? [] : ['redis-server']), ...(pgBin ? [] : ['postgresql'])].join(' ');
    log(`missing: ${missing.join(', ')}`);
    log(`  install with: apt-get install -y ${packages}   (or set REDIS_SERVER / PG_BIN)`);
    log('  running the peers that can start; the harness skips the others');
  }
  return { redis, pgBin };
}
