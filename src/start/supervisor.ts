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
  /**
   * What a `restart` process in a crash loop does: 'stop-all' (default) stops
   * everything; 'wait' leaves it stopped until `restart()` names it (`npm run
   * dev`: a file saved half-written should not take the dev server down).
   */
  onCrashLoop?: 'stop-all' | 'wait';
}

export interface Supervision {
  /**
   * Asks every child to stop with SIGTERM, by PID. A second call sends SIGTERM
   * again (a worker then gives up its grace and stops at once); a third kills.
   */
  stop(): void;
  /**
   * Stops the named children (one SIGTERM each, so a worker finishes its
   * running jobs) and starts each again once it has exited, printing one line
   * `<why>: restarting <names>`. Does nothing once a stop was requested.
   */
  restart(names: string[], why: string): void;
  /** Resolves when every child has exited: 0 after a requested stop, 1 if a child died for good or had to be killed. */
  done: Promise<number>;
}

/** A `restart` process is started again this long after it dies. */
const restartDelayMs = 1_000;
/** ...unless it died this many times within `crashWindowMs`: then it is a crash loop (see onCrashLoop). */
const maxCrashes = 5;
const crashWindowMs = 60_000;
const terminalControlsOnly = /^(\x1b\[[0-9;?]*[A-Za-z])+$/;

/**
 * Runs the processes side by side with their output prefixed, and keeps them
 * together: a `restart` process that dies on its own is started again (a
 * killed worker's job is taken over by the new one when its lease expires);
 * any other, or one in a crash loop, stops the rest. Each child gets its own
 * process group, so a Ctrl-C in the terminal reaches only this supervisor,
 * which sends each child exactly one SIGTERM (the worker counts signals: a
 * second one would cut its grace short). A child started with the parent
 * watch (processes.ts) stops by itself if this supervisor dies without a word.
 */
export function supervise(specs: ProcessSpec[], options: SuperviseOptions): Supervision {
  const say = options.log.for('start');
  const running = new Map<string, ChildProcess>();
  const restarts = new Map<string, NodeJS.Timeout>();
  const crashes = new Map<string, number[]>();
  /** Told to stop by restart(): started again when they exit. */
  const restarting = new Set<string>();
  /** In a crash loop, waiting for restart() (onCrashLoop 'wait'). */
  const waiting = new Set<string>();
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

  const finishIfIdle = () => {
    if (running.size > 0 || restarts.size > 0 || (waiting.size > 0 && stopRequests === 0)) return;
    clearTimeout(killTimer);
    process.off('exit', killAll);
    finish(failed ? 1 : 0);
  };

  const stop = () => {
    stopRequests += 1;
    for (const timer of restarts.values()) clearTimeout(timer);
    restarts.clear();
    waiting.clear();
    const names = [...running.keys()].join(', ');
    if (running.size === 0) return finishIfIdle();
    if (stopRequests === 1) {
      say(`stopping ${names} (press Ctrl-C again to stop at once)`);
      // A child being restarted has had its SIGTERM already: a second one would cut a worker's grace short.
      for (const [name, child] of running) if (!restarting.has(name)) child.kill('SIGTERM');
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

  const ended = (spec: ProcessSpec, child: ChildProcess, how: string) => {
    if (running.get(spec.name) !== child) return; // 'error' and 'exit' can both arrive
    running.delete(spec.name);
    const restartRequested = restarting.delete(spec.name);
    if (stopRequests > 0) {
      say(`${spec.name} stopped (${how})`);
    } else if (restartRequested) {
      start(spec);
    } else if (!spec.restart) {
      failed = true;
      say(`${spec.name} ended unexpectedly (${how}); stopping the others`);
      stop();
    } else if (!isCrashLoop(spec.name)) {
      say(`${spec.name} ended unexpectedly (${how}); starting a new one in ${restartDelayMs / 1000} s`);
      restarts.set(spec.name, setTimeout(() => {
        restarts.delete(spec.name);
        start(spec);
      }, restartDelayMs));
    } else if (options.onCrashLoop === 'wait') {
      waiting.add(spec.name);
      say(`${spec.name} ended unexpectedly (${how}) for the ${maxCrashes}th time in ${crashWindowMs / 1000} s; waiting for a change to start it again`);
    } else {
      failed = true;
      say(`${spec.name} ended unexpectedly (${how}) for the ${maxCrashes}th time in ${crashWindowMs / 1000} s; stopping the others`);
      stop();
    }
    finishIfIdle();
  };

  const isCrashLoop = (name: string) => {
    const now = Date.now();
    const recent = [...(crashes.get(name) ?? []), now].filter((at) => now - at < crashWindowMs);
    crashes.set(name, recent);
    return recent.length >= maxCrashes;
  };

  const start = (spec: ProcessSpec) => {
    const child = spawn(spec.command, spec.args, {
      cwd: options.cwd,
      // The child's parent watch (exit-with-parent.mjs) checks it has this parent from its first line on.
      env: { ...withOverrides(options.env, spec.env), FLUENT_JOBS_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.set(spec.name, child);
    const write = options.log.for(spec.name);
    // Lines made only of terminal controls (`next dev` shows its cursor again on exit) would print as noise.
    const line = (stream: 'stdout' | 'stderr') => (text: string) => (terminalControlsOnly.test(text) ? undefined : write(text, { stream }));
    forEachLine(child.stdout!, line('stdout'));
    forEachLine(child.stderr!, line('stderr'));
    child.once('error', (error) => ended(spec, child, `could not start: ${error.message}`));
    child.once('exit', (code, signal) => ended(spec, child, signal ? `killed by ${signal}` : `exit code ${code}`));
  };

  const restart = (names: string[], why: string) => {
    if (stopRequests > 0) return;
    const chosen = specs.filter((spec) => names.includes(spec.name));
    if (chosen.length === 0) return;
    say(`${why}: restarting ${chosen.map((spec) => spec.name).join(', ')}`);
    for (const spec of chosen) {
      crashes.delete(spec.name); // new code deserves a fresh crash count
      const child = running.get(spec.name);
      if (child) {
        if (!restarting.has(spec.name)) child.kill('SIGTERM');
        restarting.add(spec.name);
      } else {
        clearTimeout(restarts.get(spec.name));
        restarts.delete(spec.name);
        waiting.delete(spec.name);
        start(spec);
      }
    }
  };

  specs.forEach(start);
  return { stop, restart, done };
}

function withOverrides(env: NodeJS.ProcessEnv, overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const result = { ...env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}
