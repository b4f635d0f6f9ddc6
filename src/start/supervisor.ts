import { spawn, type ChildProcess } from 'node:child_process';
import { forEachLine } from './lines';
import type { PrefixedLog } from './log';
import type { ProcessSpec } from './processes';

export interface SuperviseOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** After the first stop request, how long (ms) the children may take to exit before they are killed. */
  stopGraceMs: number;
  log: PrefixedLog;
}

export interface Supervision {
  /**
   * Asks every child to stop with SIGTERM, by PID. A second call sends SIGTERM
   * again (a worker then gives up its grace and stops at once); a third kills.
   */
  stop(): void;
  /** Resolves when every child has exited: 0 after a requested stop, 1 if a child died on its own or had to be killed. */
  done: Promise<number>;
}

/**
 * Runs the processes side by side with their output prefixed, and keeps them
 * together: when one dies on its own, the others are stopped. Each child gets
 * its own process group, so a Ctrl-C in the terminal reaches only this
 * supervisor, which then sends each child exactly one SIGTERM (the worker
 * counts signals: a second one would cut its grace short).
 */
export function supervise(specs: ProcessSpec[], options: SuperviseOptions): Supervision {
  const say = options.log.for('start');
  const running = new Map<string, ChildProcess>();
  let stopRequests = 0;
  let failed = false;
  let killTimer: NodeJS.Timeout | undefined;
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));

  // A group's id is its leader's PID: this kills the child and anything it started, and nothing else.
  const killAll = () => {
    for (const child of running.values()) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  // Detached children would outlive a supervisor that exits on an uncaught error.
  process.on('exit', killAll);

  const stop = () => {
    stopRequests += 1;
    if (running.size === 0) return;
    const names = [...running.keys()].join(', ');
    if (stopRequests === 1) {
      say(`stopping ${names} (press Ctrl-C again to stop at once)`);
      for (const child of running.values()) child.kill('SIGTERM');
      killTimer = setTimeout(() => {
        say(`${[...running.keys()].join(', ')} still running after ${options.stopGraceMs} ms: killing`);
        failed = true;
        killAll();
      }, options.stopGraceMs);
    } else if (stopRequests === 2) {
      say(`telling ${names} to stop now`);
      for (const child of running.values()) child.kill('SIGTERM');
    } else {
      say(`killing ${names}`);
      failed = true;
      killAll();
    }
  };

  const ended = (name: string, how: string) => {
    if (!running.delete(name)) return;
    if (stopRequests === 0) {
      failed = true;
      say(`${name} ended unexpectedly (${how}); stopping the others`);
      stop();
    } else {
      say(`${name} stopped (${how})`);
    }
    if (running.size === 0) {
      clearTimeout(killTimer);
      process.off('exit', killAll);
      finish(failed ? 1 : 0);
    }
  };

  for (const spec of specs) {
    const child = spawn(spec.command, spec.args, {
      cwd: options.cwd,
      env: withOverrides(options.env, spec.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.set(spec.name, child);
    const line = options.log.for(spec.name);
    forEachLine(child.stdout!, line);
    forEachLine(child.stderr!, line);
    child.once('error', (error) => ended(spec.name, `could not start: ${error.message}`));
    child.once('exit', (code, signal) => ended(spec.name, signal ? `killed by ${signal}` : `exit code ${code}`));
  }

  return { stop, done };
}

function withOverrides(env: NodeJS.ProcessEnv, overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const result = { ...env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}
