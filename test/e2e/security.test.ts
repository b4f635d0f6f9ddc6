import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/db';
import { issueLoginCode } from '@/server/login-code';
import { cookieOf, loginError, submitLoginForm } from './login-form';
import { ensureBuilt, startNextServer, type NextServer } from './next-app';

// A real next start on its own SQLite file, with both tokens set.
const dir = makeTempDir('fluent-jobs-security-');
const admin = 'admin-token-for-the-security-e2e';
const readonly = 'readonly-token-for-the-security-e2e';
const env = { DATABASE_URL: `file:${path.join(dir, 'jobs.db')}`, JOBS_DATA_DIR: dir, JOBS_ADMIN_TOKEN: admin, JOBS_READONLY_TOKEN: readonly };

let server: NextServer;
const url = (p: string) => server.url + p;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const note = (headers: Record<string, string>, message = 'a note') =>
  fetch(url('/api/activity'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ message }) });
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

async function signIn(token: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await submitLoginForm(server.url, { token }, { headers });
  expect(response.status, `sign-in answered ${response.status}: ${loginError(await response.clone().text()) ?? ''}`).toBe(303);
  return response;
}

beforeAll(async () => {
  await ensureBuilt();
  server = await startNextServer(env);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('health and readiness, without a token', () => {
  it('GET /api/health is 200 and GET /api/ready is 200 on a reachable, migrated database; both no-store', async () => {
    for (const [p, body] of [['/api/health', { status: 'ok' }], ['/api/ready', { status: 'ready' }]] as const) {
      const response = await fetch(url(p));
      expect([p, response.status, response.headers.get('cache-control'), await response.json()]).toEqual([p, 200, 'no-store', body]);
    }
  });
});

describe('tokens on the API', () => {
  it('GET /api/activity: no token and a wrong token are 401 in the JSON error shape; either token reads', async () => {
    const none = await fetch(url('/api/activity'));
    expect([none.status, none.headers.get('www-authenticate'), none.headers.get('cache-control')]).toEqual([401, 'Bearer realm="fluent-jobs"', 'no-store']);
    expect((await errorOf(none)).code).toBe('unauthorized');
    const wrong = await fetch(url('/api/activity'), { headers: bearer('not-the-admin-token-at-all') });
    expect([wrong.status, await errorOf(wrong)]).toEqual([401, { code: 'unauthorized', message: 'The token is not valid' }]);
    for (const token of [admin, readonly]) expect((await fetch(url('/api/activity'), { headers: bearer(token) })).status).toBe(200);
  });

  it('a change (POST /api/activity): no token 401, a wrong token 401, the read-only token 403, the admin token 201; only the admin\'s change is logged', async () => {
    expect((await note({}, 'anonymous')).status).toBe(401);
    expect((await note(bearer(`${admin}-wrong`), 'wrong')).status).toBe(401);
    const refused = await note(bearer(readonly), 'read-only');
    expect([refused.status, (await errorOf(refused)).code]).toEqual([403, 'forbidden']);
    const created = await note(bearer(admin), 'deployed v1.2');
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ who: 'admin', action: 'note', details: { message: 'deployed v1.2' } });
    const { activity } = await (await fetch(url('/api/activity?limit=500'), { headers: bearer(admin) })).json();
    const messages = activity.filter((e: { action: string }) => e.action === 'note').map((e: { details: { message: string } }) => e.details.message);
    expect(messages).toContain('deployed v1.2');
    expect(messages).not.toEqual(expect.arrayContaining(['anonymous', 'wrong', 'read-only']));
  });

  it('a bad query or body is a 400 in the JSON error shape', async () => {
    const badLimit = await fetch(url('/api/activity?limit=9999'), { headers: bearer(admin) });
    expect([badLimit.status, await errorOf(badLimit)]).toEqual([400, { code: 'bad_request', message: 'limit: limit must be a whole number from 1 to 500' }]);
    const notJson = await fetch(url('/api/activity'), { method: 'POST', headers: bearer(admin), body: '{nope' });
    expect([notJson.status, await errorOf(notJson)]).toEqual([400, { code: 'bad_request', message: 'The body is not valid JSON' }]);
  });
});

describe('the login page', () => {
  it('refuses a wrong token on the page, and the right one sets an HttpOnly, SameSite=Strict cookie that holds a signed session, not the token', async () => {
    const wrong = await submitLoginForm(server.url, { token: 'not-the-admin-token-at-all' });
    expect(wrong.status).toBe(200);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(loginError(await wrong.text())).toBe('That token is not valid.');

    const ok = await signIn(admin);
    expect(ok.headers.get('location')).toBe('/');
    const setCookie = ok.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^fluent_jobs_session=v1\.admin\./);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).not.toMatch(/; Secure/i); // plain http here
    expect(setCookie).not.toContain(admin);
    const read = await fetch(url('/api/activity'), { headers: { cookie: cookieOf(ok) } });
    expect(read.status).toBe(200);
  });

  it('marks the cookie Secure when the request came over https (X-Forwarded-Proto from a proxy in front)', async () => {
    const ok = await signIn(admin, { 'x-forwarded-proto': 'https' });
    expect(ok.headers.get('set-cookie')).toMatch(/; Secure/i);
  });

  it('goes back to the page it was sent from, but never to another site', async () => {
    for (const [next, location] of [['/api/activity', '/api/activity'], ['//evil.example/x', '/'], ['https://evil.example', '/']]) {
      const response = await submitLoginForm(server.url, { token: admin, next });
      expect([next, response.headers.get('location')]).toEqual([next, location]);
    }
  });

  it('puts the home page\'s job list behind the sign-in, while the enqueue form stays open', async () => {
    const anonymous = await (await fetch(url('/'))).text();
    expect(anonymous).toContain('data-testid="enqueue-form"');
    expect(anonymous).toContain('data-testid="sign-in-prompt"');
    expect(anonymous).not.toContain('data-testid="jobs-table"');
    for (const token of [admin, readonly]) {
      const page = await (await fetch(url('/'), { headers: { cookie: cookieOf(await signIn(token)) } })).text();
      expect(page).toContain('data-testid="jobs-table"');
    }
  });

  it('takes no one-time code while JOBS_ADMIN_TOKEN is set, even one left in the data folder', async () => {
    const code = issueLoginCode(dir, Date.now());
    const refused = await submitLoginForm(server.url, {}, { page: `/login?code=${code}` });
    expect([refused.status, refused.headers.get('set-cookie')]).toEqual([200, null]);
    expect(loginError(await refused.text())).toMatch(/^This sign-in link is not valid/);
  });

  it('writes each sign-in to the action log with who and when', async () => {
    const before = Date.now();
    await signIn(readonly);
    const { activity } = await (await fetch(url('/api/activity?limit=1'), { headers: bearer(admin) })).json();
    expect(activity[0]).toMatchObject({ who: 'readonly', action: 'session.login', details: { with: 'token' } });
    expect(Date.parse(activity[0].at)).toBeGreaterThanOrEqual(before - 1_000);
  });
});

describe('cookie-authenticated changes from another site', () => {
  let adminCookie: string;
  beforeAll(async () => {
    adminCookie = cookieOf(await signIn(admin));
  });

  it('are refused with 403 by Origin and by Sec-Fetch-Site, on a route handler and on server actions; from this site they go through', async () => {
    const evilOrigin = await note({ cookie: adminCookie, origin: 'https://evil.example' }, 'csrf by origin');
    expect([evilOrigin.status, await errorOf(evilOrigin)]).toEqual([403, { code: 'forbidden', message: expect.stringMatching(/^cross-site request refused: Origin evil.example/) }]);
    const evilSite = await note({ cookie: adminCookie, 'sec-fetch-site': 'cross-site' }, 'csrf by fetch metadata');
    expect([evilSite.status, (await errorOf(evilSite)).message]).toEqual([403, 'cross-site request refused: Sec-Fetch-Site is cross-site']);
    // A server action (the login form's, as another site's page would post it).
    const action = await submitLoginForm(server.url, { token: admin }, { headers: { cookie: adminCookie, origin: 'https://evil.example' } });
    expect([action.status, action.headers.get('set-cookie'), (await errorOf(action)).code]).toEqual([403, null, 'forbidden']);
    const sameSite = await note({ cookie: adminCookie, origin: server.url, 'sec-fetch-site': 'same-origin' }, 'from this site');
    expect(sameSite.status).toBe(201);
    const { activity } = await (await fetch(url('/api/activity?limit=500'), { headers: bearer(admin) })).json();
    const messages = activity.map((e: { details: { message?: string } | null }) => e.details?.message);
    expect(messages).toContain('from this site');
    expect(messages).not.toEqual(expect.arrayContaining(['csrf by origin']));
    expect(messages).not.toEqual(expect.arrayContaining(['csrf by fetch metadata']));
  });

  it('include a sign-in posted by another site (login CSRF), even without a cookie: no session is set', async () => {
    const response = await submitLoginForm(server.url, { token: admin }, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect([response.status, response.headers.get('set-cookie')]).toEqual([200, null]);
    expect(loginError(await response.text())).toBe('cross-site request refused: Sec-Fetch-Site is cross-site');
  });

  it('do not concern Bearer calls: a program may send any Origin', async () => {
    const response = await note({ ...bearer(admin), origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' }, 'bearer from anywhere');
    expect(response.status).toBe(201);
  });

  it('a read-only session reads, and its changes are refused with 403 even from this site', async () => {
    const cookie = cookieOf(await signIn(readonly));
    expect((await fetch(url('/api/activity'), { headers: { cookie } })).status).toBe(200);
    const refused = await note({ cookie, origin: server.url }, 'read-only via the page');
    expect([refused.status, (await errorOf(refused)).code]).toEqual([403, 'forbidden']);
  });
});

describe('GET /api/activity', () => {
  it('pages newest first with an opaque cursor', async () => {
    for (const message of ['page-1', 'page-2', 'page-3']) expect((await note(bearer(admin), message)).status).toBe(201);
    const first = await (await fetch(url('/api/activity?limit=2'), { headers: bearer(admin) })).json();
    expect(first.activity.map((e: { details: { message: string } }) => e.details.message)).toEqual(['page-3', 'page-2']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await (await fetch(url(`/api/activity?limit=1&cursor=${first.nextCursor}`), { headers: bearer(admin) })).json();
    expect(second.activity.map((e: { details: { message: string } }) => e.details.message)).toEqual(['page-1']);
  });
});
