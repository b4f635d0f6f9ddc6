import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { resetConfig } from '@/config/env';
import { closeEngine, getEngine } from '@/db/client';
import type { Engine } from '@/db/engine';

export interface TempDatabase {
  dir: string;
  file: string;
  url: string;
  engine(): Promise<Engine>;
}

/** A fresh temp folder per call. */
export function makeTempDir(prefix = 'fluent-jobs-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A real, migrated SQLite file in a temp folder for this test file: the
 * process's engine points at it (DATABASE_URL), and it is removed afterwards.
 */
export function useTempDatabase(env: Record<string, string> = {}): TempDatabase {
  const dir = makeTempDir();
  const file = path.join(dir, 'jobs.db');
  const url = `file:${file}`;
  beforeAll(async () => {
    await closeEngine();
    Object.assign(process.env, { DATABASE_URL: url, ...env });
    resetConfig();
    await getEngine();
  });
  afterAll(async () => {
    await closeEngine();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, file, url, engine: getEngine };
}
