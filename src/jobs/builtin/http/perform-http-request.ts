import { NonRetryableError } from '@/core/errors';
import { safeUrl } from '@/core/safe-url';
import type { JobLogger } from '@/lib/jobs';
import { statusFailure } from './http-failure';
import { httpRequestParams, type CheckedHttpRequest, type HttpRequestParams } from './http-params';
import { readLimitedBody } from './read-limited-body';

export interface HttpRequestResult {
  status: number;
  /** The response headers named in `responseHeaders` that the response had, by lower-case name. */
  headers: Record<string, string>;
  /** The body as text, at most maxResponseBytes of it. */
  body: string;
  truncated: boolean;
  /** The body parsed, when the response is JSON (application/json or +json) and was read whole. */
  json?: unknown;
  durationMs: number;
}

export interface HttpRequestOptions {
  /** Aborts the request: a job's `this.signal` (its timeout, a cancel, a shutdown). */
  signal?: AbortSignal;
  logger?: Pick<JobLogger, 'info' | 'warn'>;
}

/**
 * One HTTP request, as the http-request job makes it, for code that builds on
 * it (webhook delivery). Resolves with the response for a 1xx-3xx status;
 * otherwise throws what the job's retry rules need: RetryLaterError (429/503
 * with Retry-After), a plain Error to be retried (5xx, 429, network errors,
 * the timeout), NonRetryableError (any other 4xx, params that fail the schema).
 * Messages name the method and the URL without its credentials or query values.
 */
export async function performHttpRequest(input: HttpRequestParams, options: HttpRequestOptions = {}): Promise<HttpRequestResult> {
  const checked = httpRequestParams.safeParse(input);
  if (!checked.success) {
    throw new NonRetryableError(`Invalid http-request params: ${checked.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`);
  }
  const request = checked.data;
  const method = request.method ?? (request.json !== undefined || request.body !== undefined ? 'POST' : 'GET');
  const what = `${method} ${safeUrl(request.url)}`;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const startedAt = performance.now();
  let response: Response;
  let body: { text: string; truncated: boolean };
  try {
    const { url, headers } = withoutCredentials(request.url, requestHeaders(request));
    response = await fetch(url, { method, headers, body: requestBody(request), signal });
    body = await readLimitedBody(response.body, request.maxResponseBytes, response.headers.get('content-type'));
  } catch (error) {
    throw requestFailure(error, what, request.timeoutMs, options.signal);
  }
  const durationMs = Math.round(performance.now() - startedAt);
  const failure = statusFailure(what, response.status, response.statusText, response.headers.get('retry-after'), Date.now());
  if (failure) {
    options.logger?.warn(failure.message, { body: body.text.slice(0, 500) });
    throw failure;
  }
  options.logger?.info(`${what} answered ${response.status}`, { durationMs, truncated: body.truncated });
  return {
    status: response.status,
    headers: chosenHeaders(response.headers, request.responseHeaders),
    body: body.text,
    truncated: body.truncated,
    ...jsonOf(response.headers.get('content-type'), body.text, body.truncated),
    durationMs,
  };
}

function requestHeaders(request: CheckedHttpRequest): Headers {
  const headers = new Headers(request.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', 'fluent-jobs');
  if (request.json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return headers;
}

/**
 * fetch refuses a URL with a user name or password in it; sent as Basic auth
 * instead, as curl does, unless an Authorization header was given.
 */
function withoutCredentials(text: string, headers: Headers): { url: string; headers: Headers } {
  const url = new URL(text);
  if (!url.username && !url.password) return { url: text, headers };
  if (!headers.has('authorization')) {
    const login = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.set('authorization', `Basic ${Buffer.from(login).toString('base64')}`);
  }
  url.username = '';
  url.password = '';
  return { url: url.toString(), headers };
}

function requestBody(request: CheckedHttpRequest): string | undefined {
  return request.json !== undefined ? JSON.stringify(request.json) : request.body;
}

function chosenHeaders(headers: Headers, names: readonly string[]): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) chosen[name.toLowerCase()] = value;
  }
  return chosen;
}

function jsonOf(contentType: string | null, text: string, truncated: boolean): { json?: unknown } {
  if (truncated || !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType ?? '')) return {};
  try {
    return { json: JSON.parse(text) };
  } catch {
    return {}; // the server called it JSON and it is not: the text is still in body
  }
}

/**
 * An aborted job signal passes its reason on, which tells the runner it was a
 * cancel or the job's timeout; the rest (the request's own timeout, a refused
 * connection, a reset) becomes a retryable error that names the request.
 */
function requestFailure(error: unknown, what: string, timeoutMs: number, outer: AbortSignal | undefined): unknown {
  if (outer?.aborted) return outer.reason;
  const name = (error as Error)?.name;
  if (name === 'TimeoutError') return new Error(`${what} timed out after ${timeoutMs} ms`);
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new Error(`${what} failed: ${reason}`);
}
