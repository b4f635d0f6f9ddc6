import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

const dir = makeTempDir('fluent-jobs-ready-');
const servers: NextServer[] = [];

/** A next start whose database is `databaseUrl`; the home page answers without it, so the server starts. */
async function serverOn(databaseUrl: string): Promise<NextServer> {
  const server = await startNextServer({ DATABASE_URL: databaseUrl, JOBS_DATA_DIR: dir, JOBS_ADMIN_TOKEN: 'admin-token-for-readiness-e2e' });
  servers.push(server);
  return server;
}

beforeAll(ensureBuilt, 300_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/ready answers 503 with the reason, while /api/health stays 200', () => {
  it('when the database cannot be brought to this code\'s schema (a foreign jobs table in the file)', async () => {
    const file = path.join(dir, 'foreign.db');
    const foreign = new Database(file);
    foreign.exec('CREATE TABLE jobs (something_else TEXT)');
    foreign.close();
    const server = await serverOn(`file:${file}`);
    const ready = await fetch(`${server.url}/api/ready`);
    expect([ready.status, ready.headers.get('cache-control')]).toEqual([503, 'no-store']);
    const { error } = await ready.json();
    expect(error.code).toBe('database_unavailable');
    expect(error.message).toMatch(/^the database cannot be opened and migrated: .*table `?jobs`? already exists/);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  }, 120_000);

  it('when the database file cannot be opened (its folder is a file)', async () => {
    const notAFolder = path.join(dir, 'plain-file');
    fs.writeFileSync(notAFolder, '');
    const server = await serverOn(`file:${path.join(notAFolder, 'jobs.db')}`);
    const ready = await fetch(`${server.url}/api/ready`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).error.message).toMatch(/^the database cannot be opened and migrated: Cannot open the database file .*plain-file is a file, not a folder/);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  }, 120_000);
});
