import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot, type OnHandler } from './harness';

/** What bench/latency-child.ts tells its parent over IPC. */
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'handler'; i: number; t: number }
  | { type: 'completed' };

export interface ChildWorker {
  pid: number;
  stop(): Promise<void>;
}

const readyLimitMs = 30_000;
const stopLimitMs = 10_000;

/**
 * Starts bench/latency-child.ts (a Worker in its own Node process on the same
 * database file) and resolves once its worker is listening for work. Handler
 * times arrive on the child's clock as timeOrigin + now() and are converted to
 * ours. stop() sends SIGTERM to the child's PID, then SIGKILL to the same PID
 * if it has not exited within 10 s, and resolves when it has exited.
 */
export async function startChildWorker(args: {
  databaseUrl: string;
  concurrency: number;
  onHandler: OnHandler;
  onCompleted: () => void;
}): Promise<ChildWorker> {
  // `node --import tsx`, not node_modules/.bin/tsx: the tsx CLI runs the script
  // in a second process of its own, and the PID we stop would not be the worker.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'bench', 'latency-child.ts'), '--concurrency', String(args.concurrency)],
    {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: args.databaseUrl },
      // The child's stdout goes to our stderr: our stdout carries the harness's JSON lines.
      stdio: ['ignore', 2, 2, 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isRunning = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    if (child.pid !== undefined && isRunning()) { // no pid: it never started
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (isRunning()) {
          process.stderr.write(`[fluentjobs] latency child ${child.pid} did not stop on SIGTERM; sending SIGKILL\n`);
          child.kill('SIGKILL');
        }
      }, stopLimitMs);
      await exited;
      clearTimeout(timer);
    }
  };

  child.on('message', (message: ChildMessage) => {
    if (message.type === 'handler') args.onHandler(message.t - performance.timeOrigin, { i: message.i });
    else if (message.type === 'completed') args.onCompleted();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`latency child not ready within ${readyLimitMs} ms`)), readyLimitMs);
    const onExit = (code: number | null, signal: string | null) => fail(new Error(`latency child exited before it was ready (${code ?? signal})`));
    const onReady = (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      done();
      resolve();
    };
    const done = () => {
      clearTimeout(timer);
      child.off('error', fail).off('exit', onExit).off('message', onReady);
    };
    function fail(error: Error) {
      done();
      void stop().then(() => reject(error));
    }
    child.on('error', fail).on('exit', onExit).on('message', onReady);
  });
  return { pid: child.pid!, stop };
}
