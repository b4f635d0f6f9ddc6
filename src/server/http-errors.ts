import { ZodError } from 'zod';
import { errorSurface, isJobsError } from '../core/errors';

/** Every API response is computed per request and may hold private data: never cached by anyone. */
export function noStore(response: Response): Response {
  const copy = new Response(response.body, response); // headers of some responses (redirects) are immutable
  // no-transform, on event streams, keeps the server's gzip from holding events back to fill a block.
  copy.headers.set('Cache-Control', /no-transform/.test(response.headers.get('Cache-Control') ?? '') ? 'no-store, no-transform' : 'no-store');
  return copy;
}

/** `{ error: { code, message } }` with the code's status, no-store. */
export function errorJson(status: number, code: string, message: string, headers: Record<string, string> = {}, details?: Record<string, unknown>): Response {
  return Response.json({ error: { code, message, ...(details ? { details } : {}) } }, { status, headers: { 'Cache-Control': 'no-store', ...headers } });
}

/**
 * The API's answer to anything a handler threw: a JobsError with its code's
 * status (core/errors.ts errorSurface), a zod error as 400; anything else is
 * a bug, logged here and answered 500 without its message or stack.
 */
export function errorResponse(error: unknown): Response {
  if (isJobsError(error)) {
    const headers: Record<string, string> = {};
    if (error.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer realm="fluent-jobs"';
    const { retryAfterSeconds, ...details } = error.details ?? {};
    if (typeof retryAfterSeconds === 'number') headers['Retry-After'] = String(retryAfterSeconds);
    return errorJson(errorSurface[error.code].httpStatus, error.code, error.message, headers, Object.keys(details).length ? details : undefined);
  }
  if (error instanceof ZodError) {
    const message = error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
    return errorJson(400, 'bad_request', message);
  }
  console.error('[api] unexpected error:', error);
  return errorJson(500, 'internal', 'Internal error; the server log has the details');
}
