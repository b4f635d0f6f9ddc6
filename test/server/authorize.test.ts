import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '@/config/env';
import { JobsError } from '@/core/errors';
import { authorize, withApi, type Need } from '@/server/auth';
import { crossSiteReason } from '@/server/csrf';
import { awaitTurn, backoffMs, recordFailure } from '@/server/login-throttle';
import { createSession, sessionCookieName } from '@/server/session';
import { getTokens, resetTokens } from '@/server/tokens';

const admin = 'admin-token-for-authorize-tests';
const readonly = 'readonly-token-for-authorize-tests';
const metrics = 'metrics-token-for-authorize-tests';

beforeAll(() => {
  Object.assign(process.env, { JOBS_ADMIN_TOKEN: admin, JOBS_READONLY_TOKEN: readonly, JOBS_METRICS_TOKEN: metrics });
  resetConfig();
  resetTokens();
});

let client = 0;
/** A request from its own client address, so one test's failures never slow another's. */
function request(method: string, headers: Record<string, string> = {}): NextRequest {
  return new NextRequest('http://jobs.local/api/thing', { method, headers: { host: 'jobs.local', 'x-forwarded-for': `10.0.0.${++client}`, ...headers } });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const cookie = (role: 'admin' | 'readonly') => ({ cookie: `other=1; ${sessionCookieName}=${createSession(role, Date.now(), getTokens())}` });

async function refusal(req: Request, need: Need): Promise<string> {
  const error = await authorize(req, need).then(() => null, (e: unknown) => e);
  if (!(error instanceof JobsError)) throw new Error(`expected a JobsError, got ${String(error)}`);
  return error.code;
}

describe('authorize', () => {
  it('grants the admin token everything and the read-only token reads only', async () => {
    expect(await authorize(request('POST', bearer(admin)), 'admin')).toEqual({ role: 'admin', who: 'admin', via: 'bearer' });
    expect(await authorize(request('GET', bearer(readonly)), 'read')).toEqual({ role: 'readonly', who: 'readonly', via: 'bearer' });
    expect(await refusal(request('POST', bearer(readonly)), 'admin')).toBe('forbidden');
  });

  it('refuses no credentials, a wrong token and a malformed header with unauthorized', async () => {
    expect(await refusal(request('GET'), 'read')).toBe('unauthorized');
    expect(await refusal(request('GET', bearer('not-the-token-at-all')), 'read')).toBe('unauthorized');
    expect(await refusal(request('GET', { authorization: admin }), 'read')).toBe('unauthorized');
    expect(await refusal(request('GET', { cookie: `${sessionCookieName}=v1.admin.zzzzzzzz.nonce.forged` }), 'read')).toBe('unauthorized');
  });

  it('takes a session cookie for reads and same-site changes, and refuses it from another site', async () => {
    expect(await authorize(request('GET', cookie('admin')), 'read')).toMatchObject({ role: 'admin', via: 'session' });
    expect(await authorize(request('POST', { ...cookie('admin'), origin: 'http://jobs.local', 'sec-fetch-site': 'same-origin' }), 'admin')).toMatchObject({ role: 'admin' });
    expect(await refusal(request('POST', { ...cookie('admin'), origin: 'https://evil.example' }), 'admin')).toBe('forbidden');
    expect(await refusal(request('DELETE', { ...cookie('admin'), 'sec-fetch-site': 'cross-site' }), 'admin')).toBe('forbidden');
    expect(await refusal(request('POST', { ...cookie('readonly'), origin: 'http://jobs.local' }), 'admin')).toBe('forbidden');
  });

  it('lets the metrics token read the metrics and nothing else, and every token and session read the metrics', async () => {
    expect(await authorize(request('GET', bearer(metrics)), 'metrics')).toBeNull(); // allowed, as nobody with a role
    expect(await refusal(request('GET', bearer(metrics)), 'read')).toBe('forbidden');
    expect(await refusal(request('POST', bearer(metrics)), 'admin')).toBe('forbidden');
    expect(await authorize(request('GET', bearer(readonly)), 'metrics')).toMatchObject({ role: 'readonly' });
    expect(await authorize(request('GET', bearer(admin)), 'metrics')).toMatchObject({ role: 'admin' });
    expect(await authorize(request('GET', cookie('readonly')), 'metrics')).toMatchObject({ role: 'readonly', via: 'session' });
    expect(await refusal(request('GET'), 'metrics')).toBe('unauthorized');
    expect(await refusal(request('GET', bearer('not-the-metrics-token')), 'metrics')).toBe('unauthorized');
  });

  it('does not apply the cross-site check to Bearer calls', async () => {
    expect(await authorize(request('POST', { ...bearer(admin), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), 'admin')).toMatchObject({ role: 'admin' });
  });
});

describe('crossSiteReason', () => {
  const check = (method: string, headers: Record<string, string>) => crossSiteReason(method, new Headers({ host: 'jobs.local:3000', ...headers }));

  it('lets reads through from anywhere and changes from this site or a program', () => {
    expect(check('GET', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).toBeNull();
    expect(check('POST', { origin: 'http://jobs.local:3000', 'sec-fetch-site': 'same-origin' })).toBeNull();
    expect(check('POST', {})).toBeNull(); // curl: no Origin, no Sec-Fetch-Site
    expect(check('POST', { origin: 'https://jobs.example', 'x-forwarded-host': 'jobs.example' })).toBeNull(); // behind a proxy
  });

  it('refuses changes from another site, a sibling subdomain, another port or an opaque origin', () => {
    expect(check('POST', { 'sec-fetch-site': 'cross-site' })).toMatch(/Sec-Fetch-Site is cross-site/);
    expect(check('PUT', { 'sec-fetch-site': 'same-site' })).toMatch(/Sec-Fetch-Site is same-site/);
    expect(check('PATCH', { origin: 'http://jobs.local:4000' })).toMatch(/Origin jobs.local:4000 is not this server \(jobs.local:3000\)/);
    expect(check('DELETE', { origin: 'null' })).toMatch(/is not a URL/);
  });
});

describe('failed attempts back off', () => {
  it('by 250 ms doubling to at most 8 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(backoffMs)).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('and a client with eight attempts already waiting gets too_many_requests at once, with a Retry-After', async () => {
    const key = 'client-with-a-queue';
    await awaitTurn(key); // no failures: no wait
    recordFailure(key);
    const waiting = Array.from({ length: 8 }, () => awaitTurn(key));
    const ninth = await awaitTurn(key).then(() => null, (e: JobsError) => e);
    expect(ninth).toMatchObject({ code: 'too_many_requests', details: { retryAfterSeconds: 1 } });
    await Promise.all(waiting);
  });
});

describe('withApi', () => {
  const call = (handler: Parameters<typeof withApi>[0], role: Need | 'none', req: NextRequest) =>
    withApi(handler, { role })(req, { params: Promise.resolve({}) });

  it('answers JSON with Cache-Control: no-store, and checks the role before the handler runs', async () => {
    let ran = 0;
    const handler = async () => ({ ran: ++ran });
    const ok = await call(handler, 'admin', request('POST', bearer(admin)));
    expect([ok.status, ok.headers.get('cache-control'), await ok.json()]).toEqual([200, 'no-store', { ran: 1 }]);
    const refused = await call(handler, 'admin', request('POST', bearer(readonly)));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 'forbidden', message: 'The read-only token may only read; this needs the admin token' } });
    expect(ran).toBe(1);
    const anonymous = await call(handler, 'read', request('GET'));
    expect([anonymous.status, anonymous.headers.get('www-authenticate'), anonymous.headers.get('cache-control')]).toEqual([401, 'Bearer realm="fluent-jobs"', 'no-store']);
  });

  it('maps a JobsError to its status and a bug to a 500 that shows neither its message nor its stack', async () => {
    const notFound = await call(async () => { throw new JobsError('not_found', 'No job matches "abcd"'); }, 'none', request('GET'));
    expect([notFound.status, await notFound.json()]).toEqual([404, { error: { code: 'not_found', message: 'No job matches "abcd"' } }]);
    const bug = await call(async () => { throw new TypeError('secret internals at /srv/app.ts:12'); }, 'none', request('GET'));
    const text = await bug.text();
    expect(bug.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'Internal error; the server log has the details' } });
    expect(text).not.toMatch(/secret|app\.ts|TypeError/);
  });

  it('keeps a Response the handler made (its status), adding no-store', async () => {
    const created = await call(async () => Response.json({ id: 1 }, { status: 201 }), 'read', request('GET', bearer(readonly)));
    expect([created.status, created.headers.get('cache-control'), await created.json()]).toEqual([201, 'no-store', { id: 1 }]);
  });
});
