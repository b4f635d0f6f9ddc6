// The image's commands, run for real without Docker: the final stage's files are laid out in a
// temp folder as its COPY lines say, from this checkout's build (the Next.js build of the global
// setup, whose .next/standalone/ every next build writes, and the compiled entry point, built as
// the Dockerfile's RUN builds it), and each role is started with the Dockerfile's ENTRYPOINT (less
// tini, which is not installed here), its WORKDIR and its ENV; only DATABASE_URL (a temp file),
// PORT (a free one) and HOSTNAME (127.0.0.1) are set over them, as `docker run -e` would.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/next-server';
import { ensureBuilt } from '../e2e/next-app';
import { makeTempDir } from '../helpers/db';
import { execForm, lastOf, parseCopy, parseEnv, readDockerfile } from '../helpers/dockerfile';
import { root, spawnCommand, stopProcess, waitFor, type Spawned } from '../helpers/processes';
import { openEngine } from '@/db/client';
import type { Engine } from '@/db/engine';
import { getJob } from '@/store/queries';

const [build, final] = readDockerfile(root);
const buildDir = lastOf(build, 'WORKDIR')!.args;
const imageDir = lastOf(final, 'WORKDIR')!.args;
const temp = makeTempDir('fluent-jobs-image-');
const databaseFile = path.join(temp, 'data', 'jobs.db');
let appDir = '';
let engine: Engine;

/** Copies the final stage's files into `temp` as its COPY lines say; returns the folder that stands for its WORKDIR. */
function layOutImage(): string {
  // Next writes the standalone server below its tracing root, at the app's place inside it: the
  // project itself in a plain checkout, a sub-folder when node_modules is a link to another
  // checkout's (a worktree). Copied whole, so that its node_modules (or the link to it) comes along.
  const { relativeAppDir } = JSON.parse(fs.readFileSync(path.join(root, '.next/required-server-files.json'), 'utf8')) as { relativeAppDir: string };
  const standalone = path.join(root, '.next/standalone');
  expect(fs.existsSync(path.join(standalone, relativeAppDir, 'server.js')), 'next build wrote .next/standalone (next.config.ts)').toBe(true);
  const app = path.join(temp, 'standalone', relativeAppDir);
  for (const copy of final.instructions.filter((i) => i.keyword === 'COPY')) {
    const { sources: [source], destination } = parseCopy(copy.args);
    const from = path.relative(buildDir, source);
    if (from === '.next/standalone') {
      expect(destination).toBe('./');
      fs.cpSync(standalone, path.join(temp, 'standalone'), { recursive: true, verbatimSymlinks: true });
    } else {
      fs.cpSync(path.join(root, from), path.resolve(app, destination), { recursive: true, verbatimSymlinks: true });
    }
  }
  return app;
}

/** The final stage's ENV, with what `docker run -e` would set over it here. */
function imageEnv(port: number): NodeJS.ProcessEnv {
  const env = Object.assign({}, ...final.instructions.filter((i) => i.keyword === 'ENV').map((i) => parseEnv(i.args)));
  // The base image's own variables: a PATH (this machine's, for its node) and the user's home.
  return { PATH: process.env.PATH, HOME: temp, ...env, DATABASE_URL: `file:${databaseFile}`, PORT: String(port), HOSTNAME: '127.0.0.1' };
}

/** The ENTRYPOINT as this machine runs it: without tini, node being this one, the image's paths in the laid-out folder. */
function entrypoint(): { command: string; args: string[] } {
  const [tini, dashes, node, ...args] = execForm(lastOf(final, 'ENTRYPOINT')!.args)!;
  expect([tini, dashes, node]).toEqual(['/usr/bin/tini', '--', 'node']);
  return { command: process.execPath, args: args.map((arg) => arg.replace(new RegExp(`^${imageDir}/`), `${appDir}/`)) };
}

/** `docker run IMAGE <role...>`: the entry point with the role as its command. */
function runImage(role: string[], port: number): Spawned {
  const { command, args } = entrypoint();
  return spawnCommand(command, [...args, ...role], { cwd: appDir, env: imageEnv(port) });
}

/** A one-off command in the image (`docker run --rm IMAGE jobs ...`), to its end. */
function runToEnd(role: string[]): string {
  const { command, args } = entrypoint();
  return execFileSync(command, [...args, ...role], { cwd: appDir, env: imageEnv(1), encoding: 'utf8' });
}

const answers = async (url: string) => {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
};
const stateOf = async (id: string) => (await getJob(engine, id))?.state;

beforeAll(async () => {
  await ensureBuilt(); // a no-op after the global setup's build
  // As the Dockerfile's build stage does, after next build.
  const steps = lastOf(build, 'RUN')!.args;
  expect(steps).toContain('node src/image/bundle.mjs');
  execFileSync(process.execPath, ['src/image/bundle.mjs'], { cwd: root, stdio: 'ignore' });
  appDir = layOutImage();
  fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
  // Migrated by the first role that opens it; this engine only reads.
  engine = await openEngine(`file:${databaseFile}`);
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(temp, { recursive: true, force: true });
});

describe('the image', () => {
  it('serves /api/health and the pages\' JavaScript with the web role, and its HEALTHCHECK passes', async () => {
    const port = await freePort();
    const web = runImage(['web'], port);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(() => answers(`${url}/api/health`), 'the standalone server to serve /api/health');
    expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ status: 'ok' });
    // .next/static was copied: the login page's scripts load.
    const page = await (await fetch(`${url}/login`)).text();
    const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${url}${script}`)).status).toBe(200);
    expect(web.output()).toMatch(/Sign in once at http:\/\/localhost:\d+\/login\?code=/);

    const [, healthcheck] = /\bCMD\s+(.*)$/.exec(lastOf(final, 'HEALTHCHECK')!.args)!;
    const [node, ...args] = execForm(healthcheck)!;
    expect(node).toBe('node');
    const health = (env: NodeJS.ProcessEnv) => spawnCommand(process.execPath, args.map((a) => a.replace(`${imageDir}/`, `${appDir}/`)), { cwd: appDir, env }).exited;
    expect(await health(imageEnv(port))).toBe(0);
    expect(await health(imageEnv(await freePort()))).toBe(1); // nothing serves there

    await stopProcess(web);
    expect(await answers(`${url}/api/health`)).toBe(false);
  });

  it('runs a job the CLI role enqueued with the worker role, which stops on SIGTERM', async () => {
    const { id } = JSON.parse(runToEnd(['jobs', 'enqueue', 'demo', '--param', 'steps=2', '--param', 'delayMs=10', '--json'])) as { id: string };
    expect(await stateOf(id)).toBe('pending');
    const worker = runImage(['worker'], await freePort());
    await waitFor(async () => (await stateOf(id)) === 'completed', 'the compiled worker to complete the job');
    expect(await stopProcess(worker)).toBe(0);
    expect(worker.output()).toMatch(/completed demo/);
  });

  it('runs the web app, a worker and the cron poller by default, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const cmd = execForm(lastOf(final, 'CMD')!.args)!;
    const supervisor = runImage(cmd, port);
    await supervisor.waitForOutput('Fluent Jobs is running', 60_000);
    const { id } = JSON.parse(runToEnd(['jobs', 'enqueue', 'demo', '--param', 'steps=1', '--json'])) as { id: string };
    await waitFor(async () => (await stateOf(id)) === 'completed', 'the supervised worker to complete the job');
    expect(supervisor.output()).toMatch(/\[cron\] +.*cron poller .* started/);
    expect(supervisor.output().match(/Sign in once|login\?code=/g)).toHaveLength(1); // the supervisor's link only
    expect(await stopProcess(supervisor)).toBe(0);
    expect(supervisor.output()).toMatch(/worker stopped \(exit code 0\)/);
    expect(await answers(`http://127.0.0.1:${port}/api/health`)).toBe(false);
  });

  it("loads the libSQL client for a remote database from the image's node_modules (only what Next's build traced)", async () => {
    const port = await freePort(); // nothing listens there
    const { command, args } = entrypoint();
    const cli = spawnCommand(command, [...args, 'jobs', 'list'], { cwd: appDir, env: { ...imageEnv(1), DATABASE_URL: `http://127.0.0.1:${port}` } });
    expect(await cli.exited).toBe(1);
    expect(cli.output()).not.toMatch(/Cannot find (package|module)/);
    expect(cli.output()).toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed|connect/i);
  });

  it('names its roles when given one it does not have', () => {
    const { command, args } = entrypoint();
    const run = spawnCommand(command, [...args, 'wroker'], { cwd: appDir, env: imageEnv(1) });
    return run.exited.then((code) => {
      expect(code).toBe(2);
      expect(run.output()).toMatch(/Unknown role "wroker"[^]*worker +one worker/);
    });
  });
});
