// A real `next start` on 127.0.0.1 and a free port, for the benches and (through
// test/e2e/next-app.ts) the tests: nothing here imports vitest, so both can use it.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { buildNeededBecause, nextEnv, runNextBuild } from '../src/start/next-build';
import { waitForHttp } from '../src/start/wait-for-http';
import { projectRoot } from './harness';

/** Runs `next build` first when .next is missing or older than a source (the rule `npm start` uses). */
export async function ensureBuilt(say: (line: string) => void): Promise<void> {
  const reason = buildNeededBecause(projectRoot);
  if (!reason) return;
  say(`next build: ${reason}`);
  await runNextBuild(projectRoot);
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

export interface BenchServer {
  url: string;
  pid: number;
  /** What the server printed so far. */
  output(): string;
  /** Stops the server by its PID (SIGTERM, SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts next-server directly (not through npx, so the PID is the server's) and resolves once it answers. */
export async function startNextServer(env: Record<string, string>): Promise<BenchServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(path.join(projectRoot, 'node_modules/.bin/next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: projectRoot,
    env: { ...nextEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!alive()) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);
  if (!(await waitForHttp(`${url}/api/health`, 60_000)) || !alive()) {
    await stop();
    throw new Error(`next start did not answer on ${url}:\n${output}`);
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      process.off('exit', stopOnExit);
      await stop();
    },
  };
}
