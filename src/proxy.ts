import { NextResponse, type NextRequest } from 'next/server';
import { crossSiteReason } from './server/csrf';
import { errorJson } from './server/http-errors';
import { pagePathHeader } from './server/page-path';
import { sessionCookieName } from './server/session';

/**
 * A coarse gate in front of everything: a state change (POST, PUT, PATCH,
 * DELETE, server actions included) that carries the session cookie and comes
 * from another site is refused with 403 before any page, action or handler
 * runs. Bearer calls pass: a browser never adds that header by itself. Each
 * handler and action still checks auth and CSRF itself (src/server/auth.ts).
 */
export function proxy(request: NextRequest) {
  if (request.headers.has('authorization') || !request.cookies.has(sessionCookieName)) return withPagePath(request);
  const crossSite = crossSiteReason(request.method, request.headers);
  return crossSite ? errorJson(403, 'forbidden', crossSite) : withPagePath(request);
}

/**
 * Passes the request on; for an admin page, with its path and query in
 * pagePathHeader (what the admin layout sends a visitor without a session
 * back to after the login, which accepts only a path on this site).
 */
function withPagePath(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  if (pathname !== '/admin' && !pathname.startsWith('/admin/')) return NextResponse.next();
  const headers = new Headers(request.headers);
  headers.set(pagePathHeader, pathname + search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|icon.svg|favicon.ico).*)'],
};
