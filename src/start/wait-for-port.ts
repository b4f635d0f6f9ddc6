import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves true once something accepts TCP connections on host:port, or false
 * after `limitMs` or when `signal` aborts. A bounded wait, polled every 200 ms.
 */
export async function waitForPort(port: number, host: string, limitMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await canConnect(port, host)) return true;
    await sleep(200);
  }
  return false;
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1_000);
    const end = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
    socket.once('timeout', () => end(false));
  });
}
