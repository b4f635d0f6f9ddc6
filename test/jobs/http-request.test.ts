import type http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { runOneAttempt } from '../helpers/attempts';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server';
import { spawnWorker, stopProcess, waitFor } from '../helpers/processes';
import { JobsError, NonRetryableError, RetryLaterError } from '@/core/errors';
import { HttpRequestJob, type HttpRequestParams } from '@/jobs';
import { performHttpRequest } from '@/jobs/builtin/http/perform-http-request';
import { getJobDetail } from '@/store/queries';

const db = useTempDatabase();
let server: TestHttpServer;

beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
});

const answer = (status: number, headers: Record<string, string> = {}, body = '') => (_req: unknown, res: http.ServerResponse) => {
  res.writeHead(status, headers);
  res.end(body);
};

describe('http-request against a real HTTP server', () => {
  it('sends the method, the headers and the JSON body as given, and returns the chosen response headers and the body', async () => {
    server.handle = answer(201, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req-7', 'x-other': 'not asked for' }, '{"ok":true,"n":3}');
    const { data } = await HttpRequestJob.now({
      url: `${server.origin}/hooks/orders?shop=42`,
      headers: { 'X-Signature': 'sha256=abc', Accept: 'application/json' },
      json: { event: 'order.paid', amount: 12.5, tags: ['a', 'é'] },
      responseHeaders: ['X-Request-Id', 'content-type', 'x-missing'],
    });
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request.method).toBe('POST'); // a body and no method: POST
    expect(request.url).toBe('/hooks/orders?shop=42');
    expect(request.headers).toMatchObject({ 'x-signature': 'sha256=abc', accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'fluent-jobs' });
    expect(JSON.parse(request.body)).toEqual({ event: 'order.paid', amount: 12.5, tags: ['a', 'é'] });
    expect(data).toEqual({
      status: 201,
      headers: { 'x-request-id': 'req-7', 'content-type': 'application/json; charset=utf-8' },
      body: '{"ok":true,"n":3}',
      truncated: false,
      json: { ok: true, n: 3 },
      durationMs: expect.any(Number),
    });
  });

  it('defaults to GET with no body, and sends a text body with the method asked for', async () => {
    server.handle = answer(200, { 'content-type': 'text/plain' }, 'plain');
    const got = await HttpRequestJob.now({ url: `${server.origin}/status` });
    expect(got.data).toMatchObject({ status: 200, body: 'plain', headers: { 'content-type': 'text/plain' } });
    expect(got.data.json).toBeUndefined();
    await HttpRequestJob.now({ method: 'PUT', url: `${server.origin}/doc`, body: 'line one\nline two', headers: { 'content-type': 'text/plain' } });
    expect(server.received.map((r) => [r.method, r.url, r.body])).toEqual([['GET', '/status', ''], ['PUT', '/doc', 'line one\nline two']]);
  });

  it('stops reading at maxResponseBytes and cancels the download: an endless body costs only the limit', async () => {
    let responseClosedEarly: Promise<boolean> = Promise.resolve(false);
    server.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 'é' is two bytes: with a 1001-byte limit the cut falls inside one, which must be left out, not shown broken.
      const chunk = Buffer.from('é'.repeat(8 * 1024));
      let sent = 0;
      const pump = () => {
        while (!res.destroyed && sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed && sent < 64 * 1024 * 1024) res.once('drain', pump);
      };
      responseClosedEarly = new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
      pump();
    };
    const { data } = await HttpRequestJob.now({ url: `${server.origin}/endless`, maxResponseBytes: 1001 });
    expect(data.truncated).toBe(true);
    expect(data.body).toBe('é'.repeat(500));
    expect(data.json).toBeUndefined(); // a JSON body cut short is not parsed
    expect(await responseClosedEarly).toBe(true);
  });

  it('a response exactly at the limit is whole, not truncated', async () => {
    server.handle = answer(200, { 'content-type': 'application/json' }, '[1,2,3]');
    const { data } = await HttpRequestJob.now({ url: `${server.origin}/exact`, maxResponseBytes: 7 });
    expect(data).toMatchObject({ body: '[1,2,3]', truncated: false, json: [1, 2, 3] });
  });
});

describe('http-request retry rules', () => {
  it('a 429 with Retry-After: 120 runs again 120 s later, not after its backoff', async () => {
    server.handle = answer(429, { 'retry-after': '120' }, 'slow down');
    const id = await HttpRequestJob.later({ url: `${server.origin}/limited` });
    const { row, label, before, after } = await runOneAttempt(HttpRequestJob, 'http-request', id);
    expect({ state: row.state, label, attempts: row.attempts }).toEqual({ state: 'pending', label: 'retrying', attempts: 1 });
    expect(row.runAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(row.runAt).toBeLessThanOrEqual(after + 120_000);
    expect(row.error).toBe(`GET ${server.origin}/limited answered 429 Too Many Requests (Retry-After: 120)`);
  });

  it('a 503 with Retry-After as an HTTP date runs again at that date', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    server.handle = answer(503, { 'retry-after': at });
    const id = await HttpRequestJob.later({ url: `${server.origin}/maintenance` });
    const { row, before, after } = await runOneAttempt(HttpRequestJob, 'http-request', id);
    expect(row.state).toBe('pending');
    expect(row.runAt).toBeGreaterThanOrEqual(Date.parse(at));
    expect(row.runAt).toBeLessThanOrEqual(Date.parse(at) + (after - before));
  });

  it('a 404 fails the job on its first attempt; the error names the method and the URL without its password or query values', async () => {
    server.handle = answer(404, {}, 'no such thing');
    const url = `${server.origin.replace('http://', 'http://hook:pa55word@')}/missing?token=s3cr3t&page=2`;
    const id = await HttpRequestJob.later({ url });
    const { row } = await runOneAttempt(HttpRequestJob, 'http-request', id);
    expect({ state: row.state, attempts: row.attempts, maxAttempts: row.maxAttempts }).toEqual({ state: 'failed', attempts: 1, maxAttempts: 5 });
    expect(row.error).toBe(`GET ${server.origin}/missing?token=***&page=*** answered 404 Not Found`);
    expect(server.received[0].headers.authorization).toBe(`Basic ${Buffer.from('hook:pa55word').toString('base64')}`);
  });

  it('a request past its timeoutMs is retried', async () => {
    server.handle = () => {}; // never answers
    const id = await HttpRequestJob.later({ url: `${server.origin}/hangs`, timeoutMs: 300 });
    const { row, label } = await runOneAttempt(HttpRequestJob, 'http-request', id);
    expect({ state: row.state, label, attempts: row.attempts }).toEqual({ state: 'pending', label: 'retrying', attempts: 1 });
    expect(row.error).toBe(`GET ${server.origin}/hangs timed out after 300 ms`);
  });

  it('a refused connection is retried', async () => {
    const port = await closedPort();
    const id = await HttpRequestJob.later({ url: `http://127.0.0.1:${port}/` });
    const { row } = await runOneAttempt(HttpRequestJob, 'http-request', id);
    expect(row.state).toBe('pending');
    expect(row.error).toBe(`GET http://127.0.0.1:${port}/ failed: ECONNREFUSED`);
  });

  it('run by a worker process: a 500 is retried, and the next attempt\'s 200 completes the job', async () => {
    let calls = 0;
    // Jobs of the tests above that wait for a retry may come due while this worker runs: only /flaky counts.
    server.handle = (req, res) => {
      if (req.url !== '/flaky') return res.end('ok');
      calls += 1;
      res.writeHead(calls === 1 ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(calls === 1 ? 'boom' : 'fine now');
    };
    const worker = spawnWorker({ DATABASE_URL: db.url });
    try {
      await worker.waitForOutput('started');
      const id = await HttpRequestJob.later({ method: 'POST', url: `${server.origin}/flaky`, body: 'x' }, { backoff: { type: 'fixed', delay: 50 } });
      await waitFor(async () => (await getJobDetail(await db.engine(), id)).state === 'completed', 'the job to complete on its second attempt');
      const job = await getJobDetail(await db.engine(), id);
      expect(job.attemptHistory.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
        [1, 'failed', `POST ${server.origin}/flaky answered 500 Internal Server Error`],
        [2, 'completed', null],
      ]);
      expect(JSON.parse(job.result!)).toMatchObject({ status: 200, body: 'fine now' });
      expect(server.received.filter((r) => r.url === '/flaky').map((r) => r.method)).toEqual(['POST', 'POST']);
    } finally {
      expect(await stopProcess(worker)).toBe(0);
    }
  });
});

describe('http-request params', () => {
  const refused = async (params: unknown) => {
    const error = await HttpRequestJob.later(params as HttpRequestParams).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(JobsError);
    expect((error as JobsError).code).toBe('invalid_params');
    return (error as JobsError).message;
  };

  it('refuse every URL but http:// and https:// at enqueue, quoting only the scheme', async () => {
    expect(await refused({ url: 'ftp://x' })).toBe('Invalid params for http-request: params.url: must be http:// or https://, not ftp://');
    expect(await refused({ url: 'file:///etc/passwd' })).toBe('Invalid params for http-request: params.url: must be http:// or https://, not file://');
    expect(await refused({ url: '/relative/path' })).toBe('Invalid params for http-request: params.url: must be an absolute http:// or https:// URL');
    expect(await refused({})).toBe('Invalid params for http-request: params.url: a url is required');
  });

  it('refuse a body on GET, json beside body, and a header name fetch would not send', async () => {
    expect(await refused({ method: 'GET', url: 'https://example.com', json: {} })).toMatch(/params\.method: a GET request cannot have a body/);
    expect(await refused({ url: 'https://example.com', json: {}, body: 'x' })).toMatch(/params\.body: give json or body, not both/);
    expect(await refused({ url: 'https://example.com', headers: { 'bad name': 'v' } })).toMatch(/params\.headers\.bad name: is not a header name/);
    expect(await refused({ url: 'https://example.com', timeoutMs: 0 })).toMatch(/params\.timeoutMs/);
  });
});

describe('performHttpRequest, the core for code that builds on it', () => {
  it('resolves with the response, or throws the error class the retry rules need', async () => {
    server.handle = answer(204);
    expect(await performHttpRequest({ url: `${server.origin}/a` })).toMatchObject({ status: 204, body: '', truncated: false });
    server.handle = answer(410);
    await expect(performHttpRequest({ url: `${server.origin}/b` })).rejects.toBeInstanceOf(NonRetryableError);
    server.handle = answer(429, { 'retry-after': '7' });
    const later = await performHttpRequest({ url: `${server.origin}/c` }).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(RetryLaterError);
    expect((later as RetryLaterError).delayMs).toBe(7_000);
    server.handle = answer(502);
    const retried = await performHttpRequest({ url: `${server.origin}/d` }).catch((e: unknown) => e);
    expect(retried).toBeInstanceOf(Error);
    expect(retried).not.toBeInstanceOf(NonRetryableError);
    await expect(performHttpRequest({ url: 'file:///etc/passwd' })).rejects.toThrow(/^Invalid http-request params: url: must be http:\/\/ or https:\/\//);
  });

  it('an aborted caller signal ends the request with the signal\'s own reason', async () => {
    server.handle = () => {};
    const controller = new AbortController();
    const reason = new Error('the job was cancelled');
    setTimeout(() => controller.abort(reason), 100);
    await expect(performHttpRequest({ url: `${server.origin}/slow` }, { signal: controller.signal })).rejects.toBe(reason);
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
