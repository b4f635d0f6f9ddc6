import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { projectRoot } from '../harness';
import { contextSwitches, cpuTimeMs, rssBytes } from './proc-stat';
import { monotonicUs, type Window } from './profile-top';

export interface IdleResult {
  seconds: number;
  cpuMs: number;
  /** CPU time over wall time, in % of one core (target: under 1). */
  percentOfCore: number;
  wakeupsPerSecond: number;
  threads: number;
  rssBytes: number;
  /** The measured window, for a CPU profile's samples. */
  window: Window;
}

/** After the worker says it started, how long its start-up (compiling, first GCs) is let settle before the window opens. */
const settleMs = 2_000;

/**
 * Row 4, "idle worker": the worker process as deployed (`node --import tsx
 * src/worker/main.ts`, the app's registry, default settings) on a fresh empty
 * database; once it logged that it started and `settleMs` passed, its CPU time
 * (utime + stime of all its threads, /proc/<pid>/stat) is read at the start
 * and the end of a window of `seconds`, with its voluntary context switches
 * (sleeps, so wake-ups) over the same window.
 */
export async function idleWorker(opts: { seconds: number; nodeArgs?: string[] }): Promise<IdleResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fluent-jobs-idle-'));
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/worker/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: `file:${path.join(dir, 'jobs.db')}`, JOBS_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 2],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the idle worker did not start within 120 s')), 120_000);
      child.once('exit', (code, signal) => reject(new Error(`the idle worker exited (${code ?? signal})`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        process.stderr.write(`[idle-worker] ${line}\n`);
        if (/worker \S+ started/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const pid = child.pid!;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const fromUs = monotonicUs();
    const cpu0 = cpuTimeMs(pid);
    const switches0 = contextSwitches(pid);
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, opts.seconds * 1000));
    const cpu1 = cpuTimeMs(pid);
    const switches1 = contextSwitches(pid);
    const wallMs = performance.now() - t0;
    const toUs = monotonicUs();
    return {
      window: { fromUs, toUs },
      seconds: wallMs / 1000,
      cpuMs: cpu1 - cpu0,
      percentOfCore: (100 * (cpu1 - cpu0)) / wallMs,
      wakeupsPerSecond: (switches1.voluntary - switches0.voluntary) / (wallMs / 1000),
      threads: switches1.threads,
      rssBytes: rssBytes(pid),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM'); // by its PID; it stops its worker and exits
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
