import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves true once `url` answers HTTP with any status (the web app is
 * serving, and its first request has opened the database), or false after
 * `limitMs` or when `signal` aborts. A bounded wait, polled every 250 ms.
 */
export async function waitForHttp(url: string, limitMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'manual' });
      return true;
    } catch {
      await sleep(250);
    }
  }
  return false;
}
