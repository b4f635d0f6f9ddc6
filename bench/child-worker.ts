import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot, type OnHandler } from './harness';
import type { DrainChildMessage, DrainParentMessage, DrainStats } from './scale/drain-protocol';

/** What bench/latency-child.ts tells its parent over IPC. */
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'handler'; i: number; t: number }
  | { type: 'completed' };

export interface ChildWorker {
  pid: number;
  stop(): Promise<void>;
}

const readyLimitMs = 120_000;
const stopLimitMs = 10_000;

/**
 * Spawns a bench script (a Worker in its own Node process) with an IPC
 * channel and resolves once it says `ready`. stop() sends SIGTERM to the
 * child's PID, then SIGKILL to the same PID if it has not exited within 10 s,
 * and resolves when it has exited.
 */
async function spawnBenchChild<M extends { type: string }>(args: {
  script: string;
  argv: string[];
  databaseUrl: string;
  /** Flags for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  label: string;
  /** Every message, from the first (attached before the child can send one). */
  onMessage(message: M): void;
}): Promise<{ child: ChildProcess; pid: number; stop(): Promise<void> }> {
  // `node --import tsx`, not node_modules/.bin/tsx: the tsx CLI runs the script
  // in a second process of its own, and the PID we stop would not be the worker.
  const child = spawn(process.execPath, [...(args.nodeArgs ?? []), '--import', 'tsx', path.join(projectRoot, args.script), ...args.argv], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: args.databaseUrl },
    // The child's stdout goes to our stderr: our stdout carries results.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  child.on('message', args.onMessage);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isRunning = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    if (child.pid !== undefined && isRunning()) { // no pid: it never started
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (isRunning()) {
          process.stderr.write(`[fluentjobs] ${args.label} ${child.pid} did not stop on SIGTERM; sending SIGKILL\n`);
          child.kill('SIGKILL');
        }
      }, stopLimitMs);
      await exited;
      clearTimeout(timer);
    }
  };

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${args.label} not ready within ${readyLimitMs} ms`)), readyLimitMs);
    const onExit = (code: number | null, signal: string | null) => fail(new Error(`${args.label} exited before it was ready (${code ?? signal})`));
    const onReady = (message: { type: string }) => {
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
  return { child, pid: child.pid!, stop };
}

/**
 * Starts bench/latency-child.ts (a Worker in its own Node process on the same
 * database file) and resolves once its worker is listening for work. Handler
 * times arrive on the child's clock as timeOrigin + now() and are converted to
 * ours.
 */
export async function startChildWorker(args: {
  databaseUrl: string;
  concurrency: number;
  onHandler: OnHandler;
  onCompleted: () => void;
}): Promise<ChildWorker> {
  const onMessage = (message: ChildMessage) => {
    if (message.type === 'handler') args.onHandler(message.t - performance.timeOrigin, { i: message.i });
    else if (message.type === 'completed') args.onCompleted();
  };
  const { pid, stop } = await spawnBenchChild({
    script: 'bench/latency-child.ts',
    argv: ['--concurrency', String(args.concurrency)],
    databaseUrl: args.databaseUrl,
    label: 'latency child',
    onMessage,
  });
  return { pid, stop };
}

export interface DrainChild extends ChildWorker {
  /** Starts its Worker (it warmed up and opened the file before it was ready); resolves once the worker listens for work. */
  go(): Promise<void>;
  /** Its counters now. */
  stats(): Promise<DrainStats>;
}

/**
 * Starts bench/scale/drain-child.ts: a worker process that warms up on a file
 * of its own, opens `databaseUrl` and waits for go(). It reports completions
 * in groups (one message per event-loop turn), never per job, so that several
 * of them cost the parent little.
 */
export async function startDrainChild(args: {
  databaseUrl: string;
  concurrency: number;
  warmupJobs: number;
  timeClaims: boolean;
  nodeArgs?: string[];
  onCompleted: (n: number) => void;
}): Promise<DrainChild> {
  const waiting: { type: DrainChildMessage['type']; resolve(message: DrainChildMessage): void }[] = [];
  const onMessage = (message: DrainChildMessage) => {
    if (message.type === 'completed') return args.onCompleted(message.n);
    const k = waiting.findIndex((w) => w.type === message.type);
    if (k !== -1) waiting.splice(k, 1)[0].resolve(message);
  };
  const { child, pid, stop } = await spawnBenchChild({
    script: 'bench/scale/drain-child.ts',
    argv: ['--concurrency', String(args.concurrency), '--warmup', String(args.warmupJobs), ...(args.timeClaims ? ['--time-claims'] : [])],
    databaseUrl: args.databaseUrl,
    nodeArgs: args.nodeArgs,
    label: 'drain child',
    onMessage,
  });
  const ask = <T extends DrainChildMessage['type']>(request: DrainParentMessage, answer: T) =>
    new Promise<Extract<DrainChildMessage, { type: T }>>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`drain child ${pid} is gone`));
      waiting.push({ type: answer, resolve: resolve as (message: DrainChildMessage) => void });
      child.send(request);
    });
  return {
    pid,
    stop,
    go: async () => void (await ask({ type: 'go' }, 'started')),
    stats: async () => (await ask({ type: 'stats' }, 'stats')).stats,
  };
}
