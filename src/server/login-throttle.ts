import { defaults } from '../config/defaults';
import { JobsError } from '../core/errors';

/**
 * Slows down guessing: after a failed login or Bearer token, the client's
 * next attempt waits, 250 ms doubling per failure up to 8 s (defaults.loginBackoff*).
 * Attempts that wake together pass one at a time: the first one's check and
 * failure run before the next wakes (no await between them), pushing the
 * others back. Correct tokens never add a wait. Memory is bounded: at most
 * loginBackoffClients clients, each forgotten 15 min after its last failure.
 *
 * The client is the first X-Forwarded-For address (Next sets it from the
 * socket; a proxy in front sets it for you). Exposed directly, a client can
 * name itself anew per request, so long random tokens remain the real defence.
 */
interface Client {
  failures: number;
  blockedUntil: number;
  lastFailureAt: number;
  waiting: number;
}

const holder = globalThis as unknown as { __fluentJobsLoginClients?: Map<string, Client> };
const clients = (holder.__fluentJobsLoginClients ??= new Map());

export function clientKey(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',')[0].trim() || headers.get('x-real-ip')?.trim() || 'unknown';
}

/** @example backoffMs(1) // 250; backoffMs(3) // 1000; backoffMs(20) // 8000 */
export function backoffMs(failures: number): number {
  return Math.min(defaults.loginBackoffMaxMs, defaults.loginBackoffFirstMs * 2 ** (failures - 1));
}

/** Resolves when `key` may try a token; throws too_many_requests when too many of its attempts wait already. */
export async function awaitTurn(key: string): Promise<void> {
  for (;;) {
    const client = clients.get(key);
    if (!client) return;
    const now = Date.now();
    if (now - client.lastFailureAt > defaults.loginBackoffForgetMs) {
      clients.delete(key);
      return;
    }
    const waitMs = client.blockedUntil - now;
    if (waitMs <= 0) return;
    if (client.waiting >= defaults.loginBackoffMaxWaiting) {
      throw new JobsError('too_many_requests', 'Too many failed attempts from this address; wait a few seconds and try again', {
        retryAfterSeconds: Math.ceil(waitMs / 1000),
      });
    }
    client.waiting += 1;
    try {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    } finally {
      client.waiting -= 1;
    }
  }
}

/** Counts a failed attempt of `key`, blocking its next one for the back-off. */
export function recordFailure(key: string): void {
  const now = Date.now();
  const client = clients.get(key) ?? { failures: 0, blockedUntil: 0, lastFailureAt: 0, waiting: 0 };
  client.failures += 1;
  client.lastFailureAt = now;
  client.blockedUntil = now + backoffMs(client.failures);
  clients.delete(key); // re-inserted last: the Map's first entry is the one failing least recently
  clients.set(key, client);
  while (clients.size > defaults.loginBackoffClients) clients.delete(clients.keys().next().value!);
}
