import type { NextServer } from './next-app';

/** One Server-Sent Event as a browser's EventSource would dispatch it. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: any;
}

/**
 * A real streaming HTTP client of an SSE endpoint (fetch, read as it arrives),
 * parsing the wire format the way EventSource does: fields up to a blank line,
 * comments (`:`) skipped.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  ended = false;
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  private done!: Promise<void>;

  static async open(server: NextServer, path: string, options: { token?: string; lastEventId?: string; headers?: Record<string, string> } = {}): Promise<SseClient> {
    const client = new SseClient();
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const response = await fetch(server.url + path, { headers, signal: client.abort.signal });
    client.status = response.status;
    client.contentType = response.headers.get('content-type');
    client.done = client.read(response);
    return client;
  }

  contentType: string | null = null;

  private async read(response: Response): Promise<void> {
    if (!response.body) return this.finish();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    }
    this.finish();
  }

  private parse(block: string): void {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return; // retry: lines and comments only
    this.events.push({ id, event, data: JSON.parse(data.join('\n')) });
    this.notify();
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Waits until `check` holds of the events so far (or the stream ended, then throws), at most `limitMs`. */
  async waitFor(check: (events: SseEvent[]) => boolean, what: string, limitMs = 60_000): Promise<SseEvent[]> {
    const deadline = Date.now() + limitMs;
    while (!check(this.events)) {
      if (this.ended) throw new Error(`the stream ended before ${what}; events: ${JSON.stringify(this.events.map((e) => e.event))}`);
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }

  /** Waits for the server to end the stream. */
  async ends(limitMs = 60_000): Promise<void> {
    await this.waitFor(() => this.ended, 'the end of the stream', limitMs).catch((error: Error) => {
      if (!this.ended) throw error;
    });
  }

  /** Disconnects, as a closed tab does. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  /** The id of the last event seen: what EventSource sends as Last-Event-ID when it reconnects. */
  lastEventId(): string | null {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].id !== null) return this.events[i].id;
    return null;
  }
}
