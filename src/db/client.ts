import path from 'node:path';
import { getConfig } from '../config/env';
import type { Engine } from './engine';
import { openFileEngine } from './file-engine';
import { migrate } from './migrate';

export interface DatabaseTarget {
  kind: 'file' | 'remote';
  /** Absolute file path, or the server URL. */
  location: string;
}

/**
 * Where a DATABASE_URL points. Relative file paths are made absolute here,
 * once, so that every process given the URL opens the same file.
 * @example resolveDatabaseUrl('file:data/jobs.db', '/app') // { kind: 'file', location: '/app/data/jobs.db' }
 */
export function resolveDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (/^(libsql|https?|wss?):\/\//.test(url)) return { kind: 'remote', location: url };
  const filePath = url.replace(/^file:(\/\/(?=\/))?/, '');
  return { kind: 'file', location: path.resolve(cwd, filePath) };
}

/**
 * Opens an engine for a URL without touching the process-wide one (CLI tools
 * and tests). The libSQL client is loaded only for a remote URL: it costs a
 * quarter of a second of start-up, and no second SQLite engine should sit in
 * a process that works on a local file.
 */
export async function openEngine(url: string, authToken?: string, busyTimeoutMs = getConfig().busyTimeoutMs): Promise<Engine> {
  const target = resolveDatabaseUrl(url);
  if (target.kind === 'file') return openFileEngine(target.location, busyTimeoutMs);
  const { openRemoteEngine } = await import('./remote-engine');
  return openRemoteEngine(target.location, authToken);
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
