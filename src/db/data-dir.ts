import path from 'node:path';
import { defaults } from '../config/defaults';
import { getConfig, type Config } from '../config/env';
import { resolveDatabaseUrl } from './client';
import { projectRoot } from './migrate';

/**
 * The data folder: JOBS_DATA_DIR, else the folder of the local database file
 * (data/ by default), else data/ under the project root for a remote database.
 * Every process on the machine computes the same one from the same environment.
 * Here, below the jobs, because built-in jobs (backups, reports) write into it
 * as well as the server (the generated admin token).
 */
export function dataDir(config: Config = getConfig()): string {
  if (config.dataDir) return path.resolve(projectRoot, config.dataDir);
  const target = resolveDatabaseUrl(config.databaseUrl);
  return target.kind === 'file' ? path.dirname(target.location) : path.resolve(projectRoot, defaults.dataDir);
}
