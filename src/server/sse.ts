import { defaults } from '../config/defaults';

/**
 * Server-Sent Events plumbing shared by the event routes: the wire format, a
 * comment every 15 s so proxies keep an idle stream open, and one place that
 * gives everything back when the client goes away.
 */

export interface SseMessage {
  id?: number;
  event?: string;
  data?: unknown;
}

/** The text of messages on the wire; data is JSON on one line. */
export function formatSse(messages: readonly SseMessage[]): string {
  let text = '';
  for (const message of messages) {
    if (message.id !== undefined) text += `id: ${message.id}\n`;
    if (message.event !== undefined) text += `event: ${message.event}\n`;
    text += `data: ${JSON.stringify(message.data ?? null)}\n\n`;
  }
  return text;
}

export interface SseStream {
  /** Queues messages; false once the stream is closed. */
  send(messages: readonly SseMessage[]): boolean;
  /** Ends the stream (the client's EventSource reconnects unless it closes itself). */
  close(): void;
  /** Runs `cleanup` when the stream closes for any reason, at once if it already has. */
  onClose(cleanup: () => void): void;
  readonly closed: boolean;
}

let open = 0;

/** Streams open in this process: each holds a keep-alive timer and a feed listener until it closes. */
export function openSseStreams(): number {
  return open;
}

const encoder = new TextEncoder();

/**
 * A text/event-stream Response whose stream `run` fills. It closes when the
 * client disconnects (the request's signal, or the body cancelled), when
 * `run` closes it or throws, or when the client reads so slowly that
 * sseMaxBufferedBytes pile up (it reconnects with Last-Event-ID and catches up
 * from the database instead of from this process's memory).
 */
export function sseResponse(request: Request, run: (stream: SseStream) => Promise<void>): Response {
  const cleanups: (() => void)[] = [];
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let keepAlive: NodeJS.Timeout | null = null;

  const close = () => {
    if (closed) return;
    closed = true;
    open--;
    if (keepAlive) clearInterval(keepAlive);
    request.signal.removeEventListener('abort', close);
    for (const cleanup of cleanups.splice(0)) cleanup();
    try {
      controller.close();
    } catch {
      // already closed or errored by the client going away
    }
  };
  const write = (text: string): boolean => {
    if (closed) return false;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      close();
      return false;
    }
    if ((controller.desiredSize ?? 0) < 0) close(); // a client this far behind catches up from the database
    return !closed;
  };
  const stream: SseStream = {
    send: (messages) => messages.length === 0 || write(formatSse(messages)),
    close,
    onClose: (cleanup) => (closed ? cleanup() : void cleanups.push(cleanup)),
    get closed() {
      return closed;
    },
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        open++;
        // Tells EventSource how soon to reconnect, and sends the headers at once.
        write(`retry: ${defaults.sseRetryMs}\n: connected\n\n`);
        keepAlive = setInterval(() => write(': keep-alive\n\n'), defaults.sseKeepAliveMs);
        keepAlive.unref();
        if (request.signal.aborted) return close();
        request.signal.addEventListener('abort', close);
        run(stream).catch((error: unknown) => {
          console.error('[events] stream failed:', error instanceof Error ? error.message : error);
          close();
        });
      },
      cancel: close,
    },
    { highWaterMark: defaults.sseMaxBufferedBytes, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // nginx and some proxies buffer responses unless told not to.
      'X-Accel-Buffering': 'no',
    },
  });
}
