import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, useTempDatabase } from '../helpers/db';
import { root, runJobsCli } from '../helpers/processes';
import { listQueues } from '@/store/queues';

const db = useTempDatabase();
const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: db.url, ...extra });
const cli = (args: string[], extra: Record<string, string> = {}) => runJobsCli(args, env(extra));
const scratch = makeTempDir();
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** One line on stderr, no stack trace. */
function expectOneLine(stderr: string, message: RegExp | string): void {
  expect(stderr).toMatch(message);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('bin/jobs refuses bad input in one line', () => {
  it('a DATABASE_URL for another database (postgres://) is refused, and nothing is created for it', async () => {
    const { code, stdout, stderr } = await cli(['list'], { DATABASE_URL: 'postgres://app:s3cret@db.internal/app' });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expectOneLine(stderr, /DATABASE_URL has the scheme "postgres:".*file path, file:, libsql:\/\/, http\(s\):\/\/ or ws\(s\):\/\/.*JOBS_DATABASE_URL/);
    expect(stderr).not.toContain('s3cret'); // a password in a URL is not echoed
    expect(fs.existsSync(path.join(root, 'postgres:'))).toBe(false);
  });

  it('JOBS_DATABASE_URL is read before DATABASE_URL, which the app may use for its own database', async () => {
    const file = path.join(scratch, 'jobs-own.db');
    const { code, stderr } = await cli(['list'], { JOBS_DATABASE_URL: `file:${file}`, DATABASE_URL: 'postgres://app@db.internal/app' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(fs.existsSync(file)).toBe(true);
    const bad = await cli(['list'], { JOBS_DATABASE_URL: 'mysql://x@y/z' });
    expect(bad.code).toBe(2);
    expectOneLine(bad.stderr, /JOBS_DATABASE_URL has the scheme "mysql:"/);
  });

  it('queues limit with neither --rate nor --clear is a usage error', async () => {
    const { code, stderr } = await cli(['queues', 'limit', 'mail']);
    expect(code).toBe(2);
    expectOneLine(stderr, 'error: Give either --rate <max>/<duration> (e.g. --rate 100/1m) or --clear');
    expect(stderr).not.toContain('Cannot read properties');
  });

  it('a mistyped command is not run as a job: it gets a suggestion over commands and job names', async () => {
    const cases: [string, string][] = [['lst', 'list'], ['sttaus', 'status'], ['stast', 'stats'], ['wroker', 'worker'], ['dmeo', 'demo'], ['cleanpu', 'cleanup']];
    for (const [typed, meant] of cases) {
      const { code, stderr } = await cli([typed]);
      expect({ typed, code }).toEqual({ typed, code: 2 });
      expectOneLine(stderr, `Unknown command or job "${typed}". Did you mean ${meant}?`);
    }
  });

  it('pausing a queue no job or worker uses warns in one line, naming the known queues, and still pauses it', async () => {
    await cli(['enqueue', 'demo', '--queue', 'mail']);
    const { code, stdout, stderr } = await cli(['queues', 'pause', 'defualt']);
    expect(code).toBe(0);
    expect(stdout).toContain('paused queue defualt');
    expectOneLine(stderr, /^warning: no job or worker uses queue "defualt" \(known queues: .*default.*mail.*\); paused anyway/);
    expect((await listQueues(await db.engine())).find((q) => q.queue === 'defualt')).toMatchObject({ paused: true });

    const used = await cli(['queues', 'pause', 'mail']);
    expect({ code: used.code, stderr: used.stderr }).toEqual({ code: 0, stderr: '' });
    await cli(['queues', 'resume', 'mail']);
    await cli(['queues', 'resume', 'defualt']);
  });

  it('pausing or resuming a queue name no job can have is refused, as the API refuses it, and nothing is paused', async () => {
    for (const sub of ['pause', 'resume']) {
      const { code, stdout, stderr } = await cli(['queues', sub, 'no spaces']);
      expect({ sub, code, stdout }).toEqual({ sub, code: 2, stdout: '' });
      expectOneLine(stderr, 'error: Invalid queue name "no spaces": use letters, digits, . _ : -');
    }
    expect((await listQueues(await db.engine())).map((q) => q.queue)).not.toContain('no spaces');
  });

  it('--concurrency-limit without --concurrency-key is a usage error, and nothing is enqueued', async () => {
    const before = (await cli(['list', '--json', '--limit', '1000'])).stdout;
    const { code, stderr } = await cli(['enqueue', 'demo', '--concurrency-limit', '2']);
    expect(code).toBe(2);
    expectOneLine(stderr, /--concurrency-limit needs --concurrency-key/);
    expect((await cli(['list', '--json', '--limit', '1000'])).stdout).toBe(before);
  });

  it('worker --queue with no queue name is a usage error, not "every queue"', async () => {
    for (const queue of ['', ',', ' , ']) {
      const { code, stderr } = await cli(['worker', '--queue', queue, '--drain']);
      expect({ queue, code }).toEqual({ queue, code: 2 });
      expectOneLine(stderr, `--queue needs at least one queue name, got "${queue}"`);
    }
  });

  it('a negative or invalid number says what it must be, written --limit -5 or --limit=-5', async () => {
    for (const args of [['--limit', '-5'], ['--limit=-5'], ['--limit', '0'], ['--limit', '2.5']]) {
      const { code, stderr } = await cli(['list', ...args]);
      expect({ args, code }).toEqual({ args, code: 2 });
      const value = args.at(-1)!.replace('--limit=', '');
      expectOneLine(stderr, `--limit must be a whole number >= 1, got "${value}"`);
    }
    // A negative value that is valid still reaches its option.
    const low = await cli(['enqueue', 'demo', '--priority', '-5', '--queue', 'negative', '--json']);
    expect(low.code).toBe(0);
    const listed = JSON.parse((await cli(['list', '--queue', 'negative', '--json'])).stdout);
    expect(listed).toMatchObject([{ id: JSON.parse(low.stdout).id, priority: -5 }]);
  });

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const { code, stdout, stderr } = await cli([flag]);
      expect({ flag, code, stdout, stderr }).toEqual({ flag, code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('a database path that cannot be opened is named, with the reason', async () => {
    const aFile = path.join(scratch, 'a-file');
    fs.writeFileSync(aFile, '');
    const cases: [string, RegExp][] = [
      [scratch, new RegExp(`Cannot open the database file ${scratch}: it is a folder`)],
      [path.join(aFile, 'jobs.db'), new RegExp(`Cannot open the database file ${aFile}/jobs.db: ${aFile} is a file, not a folder`)],
    ];
    for (const [location, message] of cases) {
      const { code, stderr } = await cli(['list'], { DATABASE_URL: `file:${location}` });
      expect({ location, code }).toEqual({ location, code: 2 });
      expectOneLine(stderr, message);
    }
  });

  it.skipIf(process.getuid?.() === 0)('a database folder without write permission is named, with the reason', async () => {
    const locked = path.join(scratch, 'locked');
    fs.mkdirSync(locked, { mode: 0o555 });
    const { code, stderr } = await cli(['list'], { DATABASE_URL: `file:${locked}/jobs.db` });
    expect(code).toBe(2);
    expectOneLine(stderr, new RegExp(`Cannot open the database file ${locked}/jobs.db: permission denied`));
  });

  it('a relative database path and the migrations are found from the project root, whatever the working directory', async () => {
    const relative = `data/bad-input-test-${process.pid}/jobs.db`;
    const expected = path.join(root, relative);
    const elsewhere = makeTempDir();
    try {
      // bin/jobs from another folder.
      const viaBin = spawnSync(path.join(root, 'bin/jobs'), ['list'], { cwd: elsewhere, env: { ...process.env, NO_COLOR: '1', DATABASE_URL: `file:${relative}` }, encoding: 'utf8', timeout: 60_000 });
      expect({ status: viaBin.status, stderr: viaBin.stderr }).toEqual({ status: 0, stderr: '' });
      expect(fs.existsSync(expected)).toBe(true);
      fs.rmSync(path.dirname(expected), { recursive: true, force: true });

      // A script that runs the CLI module directly, from another folder (tsx told where the tsconfig is).
      const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
      const direct = spawnSync(process.execPath, ['--import', tsx, path.join(root, 'src/cli/main.ts'), 'list'], {
        cwd: elsewhere, env: { ...process.env, NO_COLOR: '1', DATABASE_URL: relative, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') }, encoding: 'utf8', timeout: 60_000,
      });
      expect({ status: direct.status, stderr: direct.stderr }).toEqual({ status: 0, stderr: '' });
      expect(fs.existsSync(expected)).toBe(true);
      expect(fs.readdirSync(elsewhere)).toEqual([]); // no stray database where the script ran
    } finally {
      fs.rmSync(path.dirname(expected), { recursive: true, force: true });
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a lease at or below the busy timeout is refused at start, naming both variables', async () => {
    for (const extra of [{ JOBS_LEASE_MS: '5000' }, { JOBS_LEASE_MS: '1000', JOBS_BUSY_TIMEOUT_MS: '2000' }] as Record<string, string>[]) {
      const { code, stderr } = await cli(['list'], extra);
      expect({ extra, code }).toEqual({ extra, code: 2 });
      expectOneLine(stderr, /JOBS_LEASE_MS \(\d+\) must be greater than JOBS_BUSY_TIMEOUT_MS \(\d+\)/);
    }
    const ok = await cli(['list'], { JOBS_LEASE_MS: '1000', JOBS_BUSY_TIMEOUT_MS: '500' });
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
  });
});
