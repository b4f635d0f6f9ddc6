import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { waitFor } from '../helpers/processes';
import { isAlive, spawnTree } from '../start/process-tree';
import { cookieOf, loginError, submitLoginForm } from './login-form';
import { ensureBuilt, freePort, startNextServer } from './next-app';

// No JOBS_ADMIN_TOKEN anywhere: the quick start, closed by default.
delete process.env.JOBS_ADMIN_TOKEN;
delete process.env.JOBS_READONLY_TOKEN;
delete process.env.JOBS_DATA_DIR;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
/** A data folder of its own, holding the database (and so the generated token, next to it). */
function dataFolder(): { dir: string; env: Record<string, string> } {
  const dir = makeTempDir('fluent-jobs-generated-');
  dirs.push(dir);
  return { dir, env: { DATABASE_URL: `file:${path.join(dir, 'jobs.db')}` } };
}

beforeAll(ensureBuilt, 300_000);

describe('with no JOBS_ADMIN_TOKEN', () => {
  it('the server makes a token in the data folder (mode 0600) that the API accepts, and a restart reuses it', async () => {
    const { dir, env } = dataFolder();
    const file = path.join(dir, 'admin-token');
    let first = await startNextServer(env);
    try {
      expect((await fetch(`${first.url}/api/activity`)).status).toBe(401); // closed by default
      const token = fs.readFileSync(file, 'utf8').trim();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect((await fetch(`${first.url}/api/activity`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      await first.stop();

      first = await startNextServer(env);
      expect(fs.readFileSync(file, 'utf8').trim()).toBe(token);
      expect((await fetch(`${first.url}/api/activity`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await first.stop();
    }
  }, 120_000);

  it('npm start prints a one-time login URL: the first use signs in as admin, the second is refused', async () => {
    const { dir, env } = dataFolder();
    const port = await freePort();
    const npm = spawnTree('npm', ['start'], { ...env, PORT: String(port), HOSTNAME: '127.0.0.1', NO_COLOR: '1' });
    try {
      const printed = await waitFor(() => {
        if (npm.child.exitCode !== null) throw new Error(`npm start exited:\n${npm.output()}`);
        return /Fluent Jobs is running: open (http:\/\/127\.0\.0\.1:\d+\/login\?code=[A-Za-z0-9_-]+)/.exec(npm.output())?.[1];
      }, 'npm start to print its login URL', 90_000, 100);
      expect(npm.output()).toContain(`that link signs you in once; after that, sign in with the token in ${path.join(dir, 'admin-token')}`);
      const { origin, pathname, search } = new URL(printed);
      const code = new URLSearchParams(search).get('code')!;
      expect(fs.readFileSync(path.join(dir, 'login-code'), 'utf8')).not.toContain(code); // only its hash is kept

      const first = await submitLoginForm(origin, {}, { page: pathname + search });
      expect(first.status).toBe(303);
      const cookie = cookieOf(first);
      expect(cookie).toMatch(/^fluent_jobs_session=v1\.admin\./);
      expect((await fetch(`${origin}/api/activity`, { headers: { cookie } })).status).toBe(200);

      const second = await submitLoginForm(origin, {}, { page: pathname + search });
      expect(second.status).toBe(200);
      expect(second.headers.get('set-cookie')).toBeNull();
      expect(loginError(await second.text())).toBe('This sign-in link was already used: it works once. Sign in with the token instead.');
    } finally {
      npm.record();
      process.kill(npm.child.pid!, 'SIGTERM');
      await waitFor(() => npm.seen().every((pid) => !isAlive(pid)), 'npm start and its children to stop', 60_000, 100);
    }
  }, 180_000);
});
