import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { makeTempDir, type TempDatabase } from './db';
import { resetConfig } from '@/config/env';
import { closeEngine, getEngine } from '@/db/client';
import { openFileEngine } from '@/db/file-engine';
import { migrate } from '@/db/migrate';

/**
 * Test-only bridge between unmodified @libsql/client 0.18 and `tursodb --sync-server`
 * (npm package `turso` 0.6). Measured: the client speaks Hrana over HTTP to
 * POST /v2/pipeline (its GET /v3 probe gets a 404), and tursodb answers that
 * route but parses only the request types `execute` and `batch`: every other
 * type is a 500 "unknown variant". The client sends two others on every call:
 *  - `close` after each execute (it ends the stream), and alone to close a stream;
 *  - `store_sql` before each batch (the batch's steps then name `sql_id`), and
 *    `close_sql` to forget a stored statement.
 * translatePipeline() rewrites one request body so tursodb accepts it:
 *  - `close` is removed and answered `{type:'ok', response:{type:'close'}}`;
 *  - `store_sql` is removed, its SQL remembered under its id (per bridge, as
 *    the client numbers them per stream), and answered ok; `close_sql` forgets it;
 *  - every `sql_id` in an `execute` or a batch step is replaced by that `sql`;
 *  - the server's results are put back in the client's request order.
 * Nothing else changes: statements, arguments, batch conditions and results
 * pass through as they are. Batons are not translated: tursodb returns
 * `baton: null`, so an interactive transaction (a stream kept open across
 * requests) cannot work through this bridge; the store never uses one.
 */
export function makeHranaBridge() {
  const storedSql = new Map<number, string>();
  type Stmt = { sql?: string; sql_id?: number; [k: string]: unknown };
  const inline = (stmt: Stmt): Stmt => {
    if (stmt.sql_id === undefined) return stmt;
    const { sql_id: id, ...rest } = stmt;
    const sql = storedSql.get(id);
    if (sql === undefined) throw new Error(`hrana bridge: no stored SQL with id ${id}`);
    return { ...rest, sql };
  };
  return {
    /** Rewrites a /v2/pipeline request body; `finish` rebuilds the response body in the client's order. */
    translatePipeline(body: string): { forward: string | null; finish(responseBody: string): string } {
      const parsed = JSON.parse(body) as { baton: unknown; requests: { type: string; [k: string]: unknown }[] };
      const forwarded: unknown[] = [];
      const slots: (unknown | 'forwarded')[] = [];
      for (const request of parsed.requests) {
        if (request.type === 'close' || request.type === 'store_sql' || request.type === 'close_sql') {
          if (request.type === 'store_sql') storedSql.set(request.sql_id as number, request.sql as string);
          if (request.type === 'close_sql') storedSql.delete(request.sql_id as number);
          slots.push({ type: 'ok', response: { type: request.type } });
        } else if (request.type === 'execute') {
          forwarded.push({ ...request, stmt: inline(request.stmt as Stmt) });
          slots.push('forwarded');
        } else if (request.type === 'batch') {
          const batch = request.batch as { steps: { stmt: Stmt }[] };
          forwarded.push({ ...request, batch: { ...batch, steps: batch.steps.map((step) => ({ ...step, stmt: inline(step.stmt) })) } });
          slots.push('forwarded');
        } else {
          throw new Error(`hrana bridge: request type ${request.type} has no translation`);
        }
      }
      const local = (results: unknown[]) => {
        let at = 0;
        return slots.map((slot) => (slot === 'forwarded' ? results[at++] : slot));
      };
      if (!forwarded.length) return { forward: null, finish: () => JSON.stringify({ baton: null, base_url: null, results: local([]) }) };
      return {
        forward: JSON.stringify({ ...parsed, requests: forwarded }),
        finish(responseBody) {
          const response = JSON.parse(responseBody) as { results: unknown[] };
          return JSON.stringify({ ...response, results: local(response.results) });
        },
      };
    },
  };
}

/**
 * A `fetch` for createClient({ fetch }) that sends /v2/pipeline through the
 * bridge and everything else as it is; `delayMs` waits that long before each
 * request, to stand for a network round trip.
 */
export function hranaV2Fetch(delayMs = 0): typeof fetch {
  const bridge = makeHranaBridge();
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (request.method !== 'POST' || !new URL(request.url).pathname.endsWith('/v2/pipeline')) return fetch(request);
    const { forward, finish } = bridge.translatePipeline(await request.text());
    const headers = { 'content-type': 'application/json' };
    if (forward === null) return new Response(finish(''), { status: 200, headers });
    const upstream = await fetch(request.url, { method: 'POST', headers: request.headers, body: forward });
    const text = await upstream.text();
    if (!upstream.ok) return new Response(text, { status: upstream.status, headers: upstream.headers });
    return new Response(finish(text), { status: 200, headers });
  }) as typeof fetch;
}

/**
 * The same bridge as an HTTP server on 127.0.0.1 in front of tursodb, for the
 * worker and CLI processes a test starts (their createClient cannot be handed
 * a fetch): point DATABASE_URL at `url`. `delayMs` as in hranaV2Fetch. Stopped with close().
 */
export async function startHranaBridgeServer(upstreamUrl: string, delayMs = 0): Promise<{ url: string; close(): Promise<void> }> {
  const bridgedFetch = hranaV2Fetch(delayMs);
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
      // Hop-by-hop headers stay here: the client inside `next start` sends transfer-encoding: chunked,
      // which fetch refuses to forward with a whole body.
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive'].includes(k)) as [string, string][]);
      const response = await bridgedFetch(new URL(req.url ?? '/', upstreamUrl), { method: req.method, headers, body });
      res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'text/plain' });
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      const cause = (error as Error & { cause?: Error }).cause;
      res.end(`hrana bridge: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Where the tursodb binary is: $TURSODB, or the `turso` npm package in $TURSO_CLI_DIR (default /tmp/turso-cli). */
export function findTursodb(): string | undefined {
  const candidates = [
    process.env.TURSODB,
    path.join(process.env.TURSO_CLI_DIR ?? '/tmp/turso-cli', 'node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb'),
  ];
  return candidates.find((file): file is string => !!file && fs.existsSync(file));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `tursodb FILE --sync-server 127.0.0.1:PORT`; resolves once it answers; stop() kills it by its PID. */
export async function startTursodb(binary: string, file: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(binary, [file, '--sync-server', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const body = JSON.stringify({ requests: [{ type: 'execute', stmt: { sql: 'SELECT 1' } }] });
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`tursodb exited: ${output}`);
    const ok = await fetch(`${url}/v2/pipeline`, { method: 'POST', body }).then((r) => r.ok, () => false);
    if (ok) return { url, child, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`tursodb did not answer on ${url}: ${output}`);
}

/** Why a tursodb test is skipped here, or '' when the binary is installed. */
export const tursodbMissing = findTursodb() ? '' : ' (skipped: tursodb not installed; npm install turso in $TURSO_CLI_DIR, default /tmp/turso-cli, or set TURSODB)';

/**
 * As useTempDatabase, but the file is served by `tursodb --sync-server` behind the
 * Hrana bridge: `url` is the bridge's http:// URL, so this process's engine and
 * every worker, poller or CLI a test starts with DATABASE_URL = url run the remote
 * engine's code path (no doorbell, no checkpointer, polling, the server's clock)
 * on a local file. The file is migrated by better-sqlite3 first, since tursodb 0.6
 * cannot run the early migrations itself (test/remote/tursodb-store.test.ts).
 */
export function useTursodbDatabase(env: Record<string, string> = {}): TempDatabase {
  const dir = makeTempDir();
  const file = path.join(dir, 'jobs.db');
  let server: Awaited<ReturnType<typeof startTursodb>> | undefined;
  let bridge: Awaited<ReturnType<typeof startHranaBridgeServer>> | undefined;
  beforeAll(async () => {
    const local = openFileEngine(file, 5_000);
    await migrate(local);
    await local.close();
    server = await startTursodb(findTursodb()!, file);
    bridge = await startHranaBridgeServer(server.url);
    await closeEngine();
    Object.assign(process.env, { DATABASE_URL: bridge.url, ...env });
    resetConfig();
    await getEngine();
  }, 30_000);
  afterAll(async () => {
    await closeEngine();
    await bridge?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    file,
    get url() {
      if (!bridge) throw new Error('useTursodbDatabase: the url is known once its beforeAll ran');
      return bridge.url;
    },
    engine: getEngine,
  };
}
