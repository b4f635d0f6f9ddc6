import fs from 'node:fs';
import path from 'node:path';
import { databaseUrlProblem, getConfig } from '../config/env';
import { describeError, JobsError } from '../core/errors';
import type { Engine } from './engine';
import { openFileEngine } from './file-engine';
import { migrate, projectRoot } from './migrate';

export interface DatabaseTarget {
  kind: 'file' | 'remote';
  /** Absolute file path, or the server URL. */
  location: string;
}

/**
 * Where a database URL points. Relative file paths are made absolute here,
 * from the project root (not the working directory), so that every process
 * given the URL opens the same file wherever it was started.
 * @example resolveDatabaseUrl('file:data/jobs.db', '/app') // { kind: 'file', location: '/app/data/jobs.db' }
 */
export function resolveDatabaseUrl(url: string, base = projectRoot): DatabaseTarget {
  const problem = databaseUrlProblem(url);
  if (problem) throw new JobsError('config', `The database URL ${problem}`);
  if (/^(libsql|https?|wss?):\/\//i.test(url)) return { kind: 'remote', location: url };
  const filePath = url.replace(/^file:(\/\/(?=\/))?/i, '');
  return { kind: 'file', location: path.resolve(base, filePath) };
}

/**
 * Opens an engine for a URL without touching the process-wide one (CLI tools
 * and tests). The libSQL client is loaded only for a remote URL: it costs a
 * quarter of a second of start-up, and no second SQLite engine should sit in
 * a process that works on a local file.
 */
export async function openEngine(url: string, authToken?: string, busyTimeoutMs = getConfig().busyTimeoutMs): Promise<Engine> {
  const target = resolveDatabaseUrl(url);
  if (target.kind === 'file') {
    try {
      return openFileEngine(target.location, busyTimeoutMs);
    } catch (error) {
      throw new JobsError('config', `Cannot open the database file ${target.location}: ${whyNotOpened(target.location, error)}`);
    }
  }
  const { openRemoteEngine } = await import('./remote-engine');
  return openRemoteEngine(target.location, authToken);
}

/** Why a file could not be opened, in words: SQLite's own "unable to open database file" names neither path nor cause. */
function whyNotOpened(location: string, error: unknown): string {
  const denied = ['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '');
  if (statOf(location)?.isDirectory()) return 'it is a folder';
  const folder = path.dirname(location);
  let existing = folder;
  while (!statOf(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  if (!statOf(existing)?.isDirectory()) return `${existing} is a file, not a folder`;
  if (existing !== folder) return `its folder ${folder} does not exist and could not be created: ${denied ? 'permission denied' : describeError(error).message}`;
  if (denied || !accessible(statOf(location) ? location : folder)) return 'permission denied';
  return describeError(error).message;
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined; // missing, or under a file (ENOTDIR)
  }
}

function accessible(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const holder = globalThis as unknown as { __fluentJobsEngine?: Promise<Engine> };

/**
 * The process's engine, opened and migrated on first use. Lazy on purpose:
 * `next build` imports server code, and an engine opened at import time would
 * create or lock the database during the build.
 */
export function getEngine(): Promise<Engine> {
  holder.__fluentJobsEngine ??= (async () => {
    const config = getConfig();
    const engine = await openEngine(config.databaseUrl, config.databaseAuthToken, config.busyTimeoutMs);
    try {
      await migrate(engine);
    } catch (error) {
      holder.__fluentJobsEngine = undefined;
      await engine.close();
      throw error;
    }
    return engine;
  })();
  return holder.__fluentJobsEngine;
}

/** Closes the process's engine; the next getEngine() opens a new one. */
export async function closeEngine(): Promise<void> {
  const pending = holder.__fluentJobsEngine;
  holder.__fluentJobsEngine = undefined;
  if (pending) await (await pending.catch(() => null))?.close();
}
