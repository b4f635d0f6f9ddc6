import { cookies, headers } from 'next/headers';
import type { NextRequest } from 'next/server';
import { JobsError } from '../core/errors';
import { crossSiteReason } from './csrf';
import { errorResponse, noStore } from './http-errors';
import { awaitTurn, clientKey, recordFailure } from './login-throttle';
import { sessionCookieName, verifySession } from './session';
import { getTokens, tokenKind, type Role } from './tokens';

/**
 * THE auth module: every route handler (through withApi) and every server
 * action or page that shows private data calls it itself; the proxy in front
 * is only a coarse gate.
 */

/**
 * What a caller needs: 'read' (either token), 'admin' (changes), or
 * 'metrics' (GET /api/metrics: the scraper's token, or either token, since
 * the read-only token may read the same figures from GET /api/stats).
 */
export type Need = 'read' | 'admin' | 'metrics';

export interface Principal {
  role: Role;
  /** Who, for the action log (src/store/activity.ts). */
  who: Role;
  via: 'bearer' | 'session';
}

const signInHint = 'send Authorization: Bearer <token>, or sign in at /login';

/**
 * Who is calling, from the request's headers: a Bearer token (never checked
 * for CSRF: a browser does not send one by itself), else the session cookie,
 * whose changes must come from this site. Null for the metrics scraper's
 * token, which has no role, and only when `need` is 'metrics'. Throws
 * unauthorized (401), forbidden (403: read-only token asking for a change,
 * the metrics token asking for anything but the metrics, or a cross-site
 * change) or too_many_requests (429, while this client's failed attempts back off).
 */
async function principalOf(method: string, requestHeaders: Headers, sessionValue: string | undefined, need: Need): Promise<Principal | null> {
  let principal: Principal;
  const authorization = requestHeaders.get('authorization');
  if (authorization !== null) {
    const token = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token) throw new JobsError('unauthorized', 'The Authorization header must be "Bearer <token>"');
    const key = clientKey(requestHeaders);
    await awaitTurn(key);
    const role = tokenKind(token); // no await since awaitTurn: a failure is counted before the next waiter wakes
    if (!role) {
      recordFailure(key);
      throw new JobsError('unauthorized', 'The token is not valid');
    }
    // The scraper's token is valid (no failure counted) but reads the metrics only.
    if (role === 'metrics') {
      if (need === 'metrics') return null;
      throw new JobsError('forbidden', 'The metrics token (JOBS_METRICS_TOKEN) may only read GET /api/metrics');
    }
    principal = { role, who: role, via: 'bearer' };
  } else {
    const role = verifySession(sessionValue, Date.now(), getTokens());
    if (!role) throw new JobsError('unauthorized', sessionValue ? `The session has expired or is no longer valid: ${signInHint}` : `Not signed in: ${signInHint}`);
    const crossSite = crossSiteReason(method, requestHeaders);
    if (crossSite) throw new JobsError('forbidden', crossSite);
    principal = { role, who: role, via: 'session' };
  }
  if (need === 'admin' && principal.role !== 'admin') throw new JobsError('forbidden', 'The read-only token may only read; this needs the admin token');
  return principal;
}

function cookieValue(cookieHeader: string | null, name: string): string | undefined {
  for (const part of cookieHeader?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('='); // a session is base64url and dots: nothing to decode
  }
  return undefined;
}

/** For route handlers: who sent `request`, allowed `need` (null: the metrics scraper), or a thrown JobsError (401, 403, 429). */
export function authorize(request: Request, need: 'read' | 'admin'): Promise<Principal>;
export function authorize(request: Request, need: Need): Promise<Principal | null>;
export function authorize(request: Request, need: Need): Promise<Principal | null> {
  return principalOf(request.method, request.headers, cookieValue(request.headers.get('cookie'), sessionCookieName), need);
}

/** For server actions (always a POST): the signed-in caller allowed `need`, or a thrown JobsError. */
export async function authorizeAction(need: 'read' | 'admin'): Promise<Principal> {
  return (await principalOf('POST', await headers(), (await cookies()).get(sessionCookieName)?.value, need))!; // null only for 'metrics'
}

/** For pages: who is signed in (session cookie), or null. Reads only; never throws for a bad cookie. */
export async function currentPrincipal(): Promise<Principal | null> {
  const role = verifySession((await cookies()).get(sessionCookieName)?.value, Date.now(), getTokens());
  return role ? { role, who: role, via: 'session' } : null;
}

interface ApiContext<P> {
  /** Null for role 'none' (health, ready), and for the metrics scraper's token under role 'metrics'. */
  principal: Principal | null;
  params: P;
}

/**
 * A route handler behind auth: checks `role` first ('none' for health and
 * ready), then runs `handler`, whose plain value becomes a 200 JSON answer (or
 * it returns its own Response). Whatever is thrown becomes the JSON error shape
 * (never a stack trace), and every answer is Cache-Control: no-store.
 * @example export const GET = withApi(async (request, { principal }) => ({ who: principal?.who }), { role: 'read' });
 */
export function withApi<P extends Record<string, string | string[]> = Record<string, never>>(
  handler: (request: NextRequest, context: ApiContext<P>) => Promise<unknown>,
  options: { role: Need | 'none' },
) {
  return async (request: NextRequest, context: { params: Promise<P> }): Promise<Response> => {
    try {
      const principal = options.role === 'none' ? null : await authorize(request, options.role);
      const result = await handler(request, { principal, params: await context.params });
      return noStore(result instanceof Response ? result : Response.json(result));
    } catch (error) {
      return errorResponse(error);
    }
  };
}
