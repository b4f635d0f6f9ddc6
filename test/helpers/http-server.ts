import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestHttpServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  received: ReceivedRequest[];
  /** Answers each request; set by each test. */
  handle: (request: ReceivedRequest, response: http.ServerResponse) => void;
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1 at a free port, recording each request it gets (body read whole). */
export async function startHttpServer(): Promise<TestHttpServer> {
  const state: TestHttpServer = {
    origin: '', received: [], handle: (_req, res) => res.end('ok'), close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      state.received.push(request);
      state.handle(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => {
    server.closeAllConnections(); // a test may leave a response hanging on purpose (the timeout test)
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
