/** A response body read up to a limit. */
export interface LimitedBody {
  text: string;
  /** The body went on past the limit; reading stopped there and the rest was never downloaded. */
  truncated: boolean;
}

/**
 * Reads at most `maxBytes` of a body, chunk by chunk, and cancels the stream
 * as soon as it goes past them, so a huge or endless response costs no more
 * than the limit. The text is decoded with the charset the response names
 * (UTF-8 when it names none or one the platform lacks); a character the cut
 * falls inside is left out rather than shown broken.
 */
export async function readLimitedBody(body: ReadableStream<Uint8Array> | null, maxBytes: number, contentType: string | null): Promise<LimitedBody> {
  if (!body) return { text: '', truncated: false };
  const decoder = decoderFor(contentType);
  const reader = body.getReader();
  let text = '';
  let kept = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), truncated: false };
      const room = maxBytes - kept;
      if (value.byteLength > room) {
        // Left in the decoder unflushed: a multi-byte character cut in two.
        text += decoder.decode(value.subarray(0, room), { stream: true });
        await reader.cancel('maxResponseBytes reached');
        return { text, truncated: true };
      }
      text += decoder.decode(value, { stream: true });
      kept += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
}

function decoderFor(contentType: string | null): TextDecoder {
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}
