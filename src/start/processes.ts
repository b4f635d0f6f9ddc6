import path from 'node:path';

/** One long-running process of the app. */
export interface ProcessSpec {
  /** Shown as the `[name]` prefix of its log lines. */
  name: string;
  command: string;
  args: string[];
  /** Variables set (or, when undefined, removed) on top of the shared environment. */
  env?: Record<string, string | undefined>;
  /** Start it again when it dies on its own (default false: the others are stopped and `npm start` exits 1). */
  restart?: boolean;
}

export interface AppOptions {
  root: string;
  /** `next dev` instead of `next start`. */
  dev: boolean;
  port: number;
  /** Address the web server binds to; unset lets Next choose (all interfaces). */
  host?: string;
}

/** THE list of processes `npm start` runs, one line each. */
export function appProcesses({ root, dev, port, host }: AppOptions): ProcessSpec[] {
  return [
    // No inherited NODE_ENV: Next sets its own, and warns about (and misbuilds with) any other.
    { name: 'web', command: path.join(root, 'node_modules/.bin/next'), args: [dev ? 'dev' : 'start', '-p', String(port), ...(host ? ['-H', host] : [])], env: { NODE_ENV: undefined } },
    // A killed worker is replaced; the new one takes its jobs over when their leases expire.
    { name: 'worker', ...typescript('src/worker/main.ts'), restart: true },
    // Several pollers (one per instance) are safe: each fire is claimed by exactly one.
    { name: 'cron', ...typescript('src/cron/main.ts'), restart: true },
  ];
}

/**
 * A TypeScript entry point run as one node process (`node --import tsx`), not
 * through the tsx CLI, which forks a second process: a signal sent to the PID
 * then reaches the process doing the work.
 */
function typescript(entry: string): Pick<ProcessSpec, 'command' | 'args'> {
  return { command: process.execPath, args: ['--import', 'tsx', entry] };
}
