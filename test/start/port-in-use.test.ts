import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { root, spawnProcess } from '../helpers/processes';

let other: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (other ? other.close(resolve) : resolve(null)));
  other = undefined;
});

describe('npm start', () => {
  it('with the port taken by another server, says so in one line and exits 1 before touching the database or the build', async () => {
    // Another server that answers HTTP, as a first `npm start` would.
    other = http.createServer((_request, response) => response.end('the other app'));
    await new Promise<void>((resolve) => other!.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    const buildId = path.join(root, '.next', 'BUILD_ID');
    const builtAtMs = () => (fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : null); // null: no build yet
    const before = builtAtMs();
    const dbFile = path.join(makeTempDir(), 'jobs.db');

    const start = spawnProcess(['src/start/main.ts'], { PORT: String(port), HOSTNAME: '127.0.0.1', DATABASE_URL: `file:${dbFile}`, NO_COLOR: '1' });
    expect(await start.exited).toBe(1);

    expect(start.output().trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^\\[start\\] +cannot start: 127\\.0\\.0\\.1:${port} is already in use`))]);
    expect(fs.existsSync(dbFile)).toBe(false);
    expect(builtAtMs()).toBe(before);
  });
});
