import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { changeFeed } from '@/lib/jobs/change-feed';
import { allEventsResponse } from '@/server/api/events';
import { openSseStreams } from '@/server/sse';
import { waitFor } from '../helpers/processes';

const db = useTempDatabase();

/** Reads a stream's text until `until` shows up. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(until)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe('an event stream', () => {
  it('gives back its keep-alive timer and its feed listener when the client disconnects, and the feed stops watching once nobody listens', async () => {
    const engine = await db.engine();
    const disconnect = new AbortController();
    const response = await allEventsResponse(new Request('http://127.0.0.1/api/events', { signal: disconnect.signal }));
    const reader = response.body!.getReader();
    const opening = await readUntil(reader, 'event: ready');
    expect(opening).toMatch(/^retry: \d+\n: connected\n\n/);
    expect(opening).toContain('id: 0\nevent: ready\ndata: {"seq":0}');
    expect(openSseStreams()).toBe(1);
    expect(changeFeed(engine).usage()).toEqual({ listeners: 1, watching: true, polling: true });

    disconnect.abort();
    await waitFor(() => openSseStreams() === 0 || undefined, 'the stream to close');
    expect(changeFeed(engine).usage()).toEqual({ listeners: 0, watching: false, polling: false });
    expect((await reader.read()).done).toBe(true);
  });

  it('is closed just the same when its body is cancelled (the way a server drops a response whose socket closed)', async () => {
    const engine = await db.engine();
    const response = await allEventsResponse(new Request('http://127.0.0.1/api/events'));
    const reader = response.body!.getReader();
    await readUntil(reader, 'event: ready');
    await reader.cancel();
    await waitFor(() => openSseStreams() === 0 || undefined, 'the stream to close');
    expect(changeFeed(engine).usage().listeners).toBe(0);
  });
});
