import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { root, waitFor } from '../helpers/processes';
import { buildNeededBecause, nextEnv, runNextBuild } from '@/start/next-build';

/** Runs `next build` when .next/BUILD_ID is missing or older than a build input (the same rule as `npm start`). */
export async function ensureBuilt(): Promise<void> {
  if (buildNeededBecause(root)) await runNextBuild(root);
}

/** A port nobody listens on right now, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface NextServer {
  url: string;
  output(): string;
  /** Stops the server by its PID (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * A real `next start` on 127.0.0.1 and a free port, resolved once it answers
 * HTTP (the first request also opens and migrates the database). Started
 * directly, not through npx, so its PID is the server's. Not tracked by the
 * per-test leak check: it serves a whole file, so its afterAll must stop() it.
 */
export async function startNextServer(env: Record<string, string>): Promise<NextServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: { ...nextEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (alive()) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    await waitFor(async () => {
      if (!alive()) throw new Error(`next start exited before answering:\n${text}`);
      return fetch(url).then((response) => response.ok, () => false);
    }, `next start to answer on ${url}`, 60_000, 200);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => text, stop };
}
