import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { root, spawnProcess, stopProcess, waitFor } from '../helpers/processes';
import { listenDoorbell, ringDoorbell, type RingKind } from '@/db/doorbell';

/** Unix socket paths are limited to 107 bytes on Linux (108 with the final NUL). */
const socketPathLimit = 107;
/** A process that rings DOORBELL_FILE's doorbell once, then waits to be stopped. */
const ringAndWait = `
  const { ringDoorbell } = await import(${JSON.stringify(path.join(root, 'src/db/doorbell.ts'))});
  ringDoorbell(process.env.DOORBELL_FILE, 'ready');
  setInterval(() => {}, 60_000);
`;
const folders: string[] = [];
const tempFolder = () => {
  const dir = makeTempDir('fluent-jobs-doorbell-');
  folders.push(dir);
  return dir;
};
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Listens on `file`'s doorbell; `rings` collects what arrives. */
async function listen(file: string, name: string) {
  const rings: RingKind[] = [];
  const listener = await listenDoorbell(file, name, (kinds) => rings.push(...kinds));
  return { rings, listener };
}

describe('the doorbell', () => {
  it('carries a ring from a process whose temp folder is not ours, as between containers sharing a database volume', async () => {
    // Each container has its own /tmp; only the database's folder is shared.
    const file = path.join(tempFolder(), 'jobs.db');
    const { rings, listener } = await listen(file, 'worker-in-another-container');
    const ringer = spawnProcess(['--input-type=module', '-e', ringAndWait], { DOORBELL_FILE: file, TMPDIR: tempFolder() });
    await waitFor(() => rings.includes('ready'), 'the other process\'s ring to arrive', 20_000);
    await stopProcess(ringer);
    await listener.close();
  });

  it('keeps its sockets beside the database file, and removes them on close', async () => {
    const file = path.join(tempFolder(), 'jobs.db');
    const { rings, listener } = await listen(file, 'worker-a');
    expect(fs.readdirSync(`${file}-doorbell`)).toEqual(['worker-a.sock']);
    ringDoorbell(file, 'ready');
    ringDoorbell(file, 'cancel');
    await waitFor(() => rings.includes('ready') && rings.includes('cancel'), 'both rings to arrive');
    await listener.close();
    expect(fs.readdirSync(`${file}-doorbell`)).toEqual([]);
  });

  it('gives a listener whose name would make the path too long a short hashed socket name', async () => {
    const file = path.join(tempFolder(), 'jobs.db');
    const name = `worker-${'x'.repeat(120)}`;
    const { rings, listener } = await listen(file, name);
    const [socket] = fs.readdirSync(`${file}-doorbell`);
    expect(path.join(`${file}-doorbell`, socket).length).toBeLessThanOrEqual(socketPathLimit);
    ringDoorbell(file, 'ready');
    await waitFor(() => rings.includes('ready'), 'the ring to arrive');
    await listener.close();
  });

  it('still rings when the database path is too long for a socket beside it (the socket falls back to the temp folder)', async () => {
    const deep = path.join(tempFolder(), 'a-folder-name-long-enough-'.repeat(4));
    fs.mkdirSync(deep, { recursive: true });
    const file = path.join(deep, 'jobs.db');
    expect(`${file}-doorbell/`.length).toBeGreaterThan(socketPathLimit);
    const { rings, listener } = await listen(file, 'worker-b');
    expect(fs.existsSync(`${file}-doorbell`)).toBe(false);
    ringDoorbell(file, 'scheduled');
    await waitFor(() => rings.includes('scheduled'), 'the ring to arrive');
    await listener.close();
  });
});
