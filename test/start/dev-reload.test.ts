import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { waitFor } from '../helpers/processes';
import { createPrefixedLog } from '@/start/log';
import type { ProcessSpec } from '@/start/processes';
import { supervise, type Supervision } from '@/start/supervisor';
import { watchSources } from '@/start/watch-sources';

const standIn = path.join(import.meta.dirname, 'stand-in.mjs');
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

/**
 * What `npm run dev` sets up, with stand-ins for the processes: a web
 * process that reloads itself and a worker and a poller that load `src/` at
 * start, supervised, with `src/` watched as main.ts watches it.
 */
function devApp() {
  const src = path.join(makeTempDir('fluent-jobs-dev-'), 'src');
  fs.mkdirSync(src);
  const code = path.join(src, 'code.txt'); // not a source file: only restarts load it again
  fs.writeFileSync(code, 'version 1');
  const lines: string[] = [];
  const spec = (name: string, reloadOnChange: boolean): ProcessSpec => ({ name, command: process.execPath, args: [standIn, code], restart: true, reloadOnChange });
  const specs = [spec('web', false), spec('worker', true), spec('cron', true)];
  const supervision: Supervision = supervise(specs, {
    cwd: src,
    env: process.env,
    stopGraceMs: 10_000,
    log: createPrefixedLog(specs.map((s) => s.name), (line) => lines.push(line)),
    onCrashLoop: 'wait',
  });
  const reloaded = specs.filter((s) => s.reloadOnChange).map((s) => s.name);
  const unwatch = watchSources(src, {
    onChange: (files) => supervision.restart(reloaded, `${files.join(', ')} changed`),
    onError: (error) => lines.push(`watch failed: ${error.message}`),
    debounceMs: 200,
  });
  cleanups.push(async () => {
    unwatch();
    supervision.stop();
    await supervision.done;
  });
  /** The PID of the last `name` process that loaded `version`. */
  const loaded = (name: string, version: string) =>
    waitFor(() => lines.findLast((line) => line.startsWith(`[${name}]`) && line.endsWith(`loaded ${version}`))?.match(/pid (\d+)/)?.[1], `${name} to load ${version}:\n${lines.join('\n')}`);
  return { src, code, lines, supervision, loaded };
}

describe('npm run dev', () => {
  it('a change under src/ restarts the worker and the poller once, with one line, and they load the new code; the web app is left alone', async () => {
    const app = devApp();
    const before = { web: await app.loaded('web', 'version 1'), worker: await app.loaded('worker', 'version 1'), cron: await app.loaded('cron', 'version 1') };

    // One save: a new job file in a new folder, the job list, and the code the stand-ins load.
    fs.mkdirSync(path.join(app.src, 'jobs'));
    fs.writeFileSync(path.join(app.src, 'jobs', 'send-email.ts'), 'export class SendEmailJob {}');
    fs.writeFileSync(path.join(app.src, 'jobs', 'index.ts'), 'export const registry = [SendEmailJob];');
    fs.writeFileSync(app.code, 'version 2');

    const after = { worker: await app.loaded('worker', 'version 2'), cron: await app.loaded('cron', 'version 2') };
    expect(after.worker).not.toBe(before.worker);
    expect(after.cron).not.toBe(before.cron);
    expect(app.lines.filter((line) => line.includes('restarting'))).toEqual([
      expect.stringMatching(/jobs\/index\.ts, jobs\/send-email\.ts changed: restarting worker, cron$/),
    ]);
    expect(app.lines.filter((line) => line.startsWith('[web]'))).toEqual([expect.stringContaining(`pid ${before.web} loaded version 1`)]);
    expect(app.lines.join('\n')).not.toMatch(/unexpectedly/);

    app.supervision.stop();
    expect(await app.supervision.done).toBe(0);
  });

  it('a worker that crashes on a file saved half-written waits for the next save instead of stopping the dev server', async () => {
    const app = devApp();
    await app.loaded('worker', 'version 1');

    fs.writeFileSync(app.code, 'broken');
    fs.writeFileSync(path.join(app.src, 'job.ts'), 'export class HalfWritten');
    await waitFor(() => app.lines.some((line) => /worker ended unexpectedly .*waiting for a change/.test(line)), `the worker to wait:\n${app.lines.join('\n')}`);

    fs.writeFileSync(app.code, 'version 3');
    fs.writeFileSync(path.join(app.src, 'job.ts'), 'export class Finished {}');
    await app.loaded('worker', 'version 3');
    await app.loaded('cron', 'version 3');
    expect(app.lines.join('\n')).not.toMatch(/stopping the others/);

    app.supervision.stop();
    expect(await app.supervision.done).toBe(0);
  });
});
