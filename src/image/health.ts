import fs from 'node:fs';
import { getConfig } from '../config/env';

/** How long the web app may take to answer the health check (ms): less than the HEALTHCHECK's --timeout. */
const answerWithinMs = 4_000;
/** Roles whose container serves no HTTP. */
const withoutWeb = new Set(['worker', 'cron']);

/**
 * The role a container runs, from its PID 1's command line (`tini -- node /app/.build/image/main.mjs
 * worker`): the word after the image's entry point, 'all' when there is none, or null when the
 * command is not the image's entry point at all.
 * @example roleInCommandLine(['/usr/bin/tini', '--', 'node', '/app/.build/image/main.mjs', 'worker']) // 'worker'
 */
export function roleInCommandLine(args: string[]): string | null {
  const entry = args.findIndex((arg) => /(^|\/)\.build\/image\/main\.mjs$/.test(arg));
  return entry < 0 ? null : (args[entry + 1] ?? 'all');
}

/**
 * The image's HEALTHCHECK, run by Docker as a process of its own beside the container's
 * command, with the image's environment. A container serving the web app (roles all and web)
 * is healthy when GET /api/health on its PORT answers 200. A worker or cron container serves no
 * HTTP: it is healthy while its process runs (Docker's restart policy covers one that exits).
 * Its role is read from PID 1's command line, which `docker run IMAGE <role>` set. Returns the
 * exit code: 0 healthy, 1 not.
 */
export async function checkHealth(): Promise<number> {
  const role = roleInCommandLine(commandLineOf(1));
  if (role !== null && withoutWeb.has(role)) return 0;
  const host = process.env.HOSTNAME?.trim();
  const address = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${getConfig().port}/api/health`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(answerWithinMs) });
    if (response.ok) return 0;
    console.error(`${url} answered ${response.status}`);
  } catch (error) {
    console.error(`${url}: ${(error as Error).message}`);
  }
  return 1;
}

/** A process's arguments, or none when they cannot be read (not Linux, or no such process). */
function commandLineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}
