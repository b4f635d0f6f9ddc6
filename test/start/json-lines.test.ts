import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { spawnProcess, waitFor } from '../helpers/processes';
import { createPrefixedLog } from '@/start/log';
import type { ProcessSpec } from '@/start/processes';
import { supervise } from '@/start/supervisor';

// The supervisor of `npm start` with LOG_FORMAT=json: its own lines and its children's, one JSON object each.
let other: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (other ? other.close(resolve) : resolve(null)));
  other = undefined;
});

const childJsonLine = '{"time":"2026-12-01T10:00:00.000Z","level":"info","process":"worker","event":"job.completed","jobId":"019a","message":"completed demo"}';

describe('the supervisor with LOG_FORMAT=json', () => {
  it('passes a child\'s JSON lines on as they are, and makes its other lines (stdout or stderr) and its own JSON objects', async () => {
    const lines: string[] = [];
    // A child that writes as a LOG_FORMAT=json worker does, then a plain line on each stream (a crash's trace, Next.js' banner).
    const script = `console.log(${JSON.stringify(childJsonLine)}); console.log('plain out'); console.error('plain err'); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 60000);`;
    const specs: ProcessSpec[] = [{ name: 'worker', command: process.execPath, args: ['-e', script], restart: true }];
    const supervision = supervise(specs, { cwd: makeTempDir(), env: process.env, stopGraceMs: 10_000, log: createPrefixedLog(['worker'], (l) => lines.push(l), 'json') });
    await waitFor(() => lines.length >= 3, 'the child\'s three lines');
    supervision.stop();
    expect(await supervision.done).toBe(0);

    expect(lines).toContain(childJsonLine);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'info', process: 'worker', event: 'output', stream: 'stdout', message: 'plain out' }));
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'error', process: 'worker', event: 'output', stream: 'stderr', message: 'plain err' }));
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'info', process: 'supervisor', event: 'supervisor', message: expect.stringMatching(/^stopping worker/) }));
    for (const entry of parsed) expect(entry).toMatchObject({ time: expect.any(String), level: expect.any(String), process: expect.any(String), event: expect.any(String) });
  });

  it('writes `npm start`\'s refusal of a taken port as one JSON line, without colours', async () => {
    other = http.createServer((_request, response) => response.end('the other app'));
    await new Promise<void>((resolve) => other!.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    const dbFile = path.join(makeTempDir(), 'jobs.db');
    const start = spawnProcess(['src/start/main.ts'], { PORT: String(port), HOSTNAME: '127.0.0.1', DATABASE_URL: `file:${dbFile}`, LOG_FORMAT: 'json', FORCE_COLOR: '1' });
    expect(await start.exited).toBe(1);
    const lines = start.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      time: expect.stringMatching(/Z$/), level: 'error', process: 'supervisor', event: 'supervisor', message: expect.stringMatching(new RegExp(`^cannot start: 127\\.0\\.0\\.1:${port} is already in use`)),
    });
  });
});
