import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, expect } from 'vitest';

export const root = path.resolve(import.meta.dirname, '../..');
// `node --import tsx` runs in one process; the tsx CLI forks a second one that a kill -9 of its PID leaves behind.
const nodeWithTsx = [process.execPath, '--import', 'tsx'] as const;
const live = new Set<ChildProcess>();

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the output contains `text`; rejects if the process exits first or after `limitMs`. */
  waitForOutput(text: string | RegExp, limitMs?: number): Promise<void>;
}

/** Starts `node --import tsx <args>` from the project root with the given env on top of ours; tracked so leaks fail the test. */
export function spawnProcess(args: string[], env: Record<string, string> = {}): Spawned {
  return spawnCommand(nodeWithTsx[0], [...nodeWithTsx.slice(1), ...args], { cwd: root, env: { ...process.env, ...env } });
}

/** Starts exactly `command args` in `cwd` with exactly `env`; tracked so leaks fail the test. */
export function spawnCommand(command: string, args: string[], { cwd, env }: { cwd: string; env: NodeJS.ProcessEnv }): Spawned {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      live.delete(child);
      for (const l of listeners) l();
      resolve(code);
    }),
  );
  return {
    child,
    output: () => text,
    exited,
    waitForOutput(pattern, limitMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
          if (found) done(resolve);
          else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`process exited before printing ${pattern}:\n${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${limitMs} ms:\n${text}`))), limitMs);
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** A worker process (`src/worker/main.ts`) on the given database. */
export function spawnWorker(env: Record<string, string>): Spawned {
  return spawnProcess([path.join(root, 'src/worker/main.ts')], env);
}

/** Runs bin/jobs to the end. */
export async function runJobsCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(path.join(root, 'bin/jobs'), args, { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  live.delete(child);
  return { code, stdout, stderr };
}

/** Polls `check` until it returns a truthy value; a bounded wait, not a timing assertion. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, limitMs = 30_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Stops a process by its PID and waits for it to exit. */
export async function stopProcess(spawned: Spawned, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill(signal);
  return spawned.exited;
}

// A test that leaves a process running fails, after the process is stopped by its PID.
afterEach(async () => {
  const leaked = [...live];
  for (const child of leaked) child.kill('SIGKILL');
  await Promise.all(leaked.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.on('exit', r)))));
  live.clear();
  expect(leaked.map((c) => c.spawnargs.join(' ')), 'processes left running by the test').toEqual([]);
});
