import path from 'node:path';
import { pathToFileURL } from 'node:url';

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
  /** With --dev, start it again when a file under src/ changes (default false: `next dev` reloads itself). */
  reloadOnChange?: boolean;
}

export interface AppOptions {
  root: string;
  /** `next dev` instead of `next start`. */
  dev: boolean;
  port: number;
  /** Address the web server binds to; unset lets Next choose (all interfaces). */
  host?: string;
  /**
   * The Docker image's entry point (.build/image/main.mjs): the children are then its roles
   * (`main.mjs web|worker|cron`), compiled JavaScript, the web role being Next's standalone
   * server. Unset: the sources through tsx, and `next start`. Default: `imageEntry`.
   */
  imageEntry?: string;
}

/**
 * The image's entry point when this code runs from the image's bundle (src/image/bundle.mjs
 * writes it as main.mjs beside the chunks the code is split into; no other bundle holds the
 * supervisor), or undefined when it runs from src/ through tsx.
 */
export const imageEntry: string | undefined = import.meta.url.endsWith('.ts') ? undefined : path.join(import.meta.dirname, 'main.mjs');

/** Preloaded into every child: it stops (SIGTERM to itself) when the supervisor is gone, even after a SIGKILL. */
export const exitWithParent = pathToFileURL(path.join(import.meta.dirname, 'exit-with-parent.mjs')).href;

/** THE list of processes `npm start` runs, one line each. */
export function appProcesses({ root, dev, port, host, imageEntry: entry = imageEntry }: AppOptions): ProcessSpec[] {
  if (entry && !dev) {
    return [
      // Next's standalone server reads its port and address from the environment; unset, it listens on every interface.
      // --supervised: the sign-in link is ours to print (main.ts), once the server answers.
      { name: 'web', ...node([entry, 'web', '--supervised']), env: { PORT: String(port), HOSTNAME: host } },
      { name: 'worker', ...node([entry, 'worker']), restart: true },
      { name: 'cron', ...node([entry, 'cron']), restart: true },
    ];
  }
  const next = path.join(root, 'node_modules/next/dist/bin/next');
  return [
    // No inherited NODE_ENV: Next sets its own, and warns about (and misbuilds with) any other.
    { name: 'web', ...node([next, dev ? 'dev' : 'start', '-p', String(port), ...(host ? ['-H', host] : [])]), env: { NODE_ENV: undefined } },
    // A killed worker is replaced; the new one takes its jobs over when their leases expire.
    { name: 'worker', ...node(['--import', 'tsx', 'src/worker/main.ts']), restart: true, reloadOnChange: true },
    // Several pollers (one per instance) are safe: each fire is claimed by exactly one.
    { name: 'cron', ...node(['--import', 'tsx', 'src/cron/main.ts']), restart: true, reloadOnChange: true },
  ];
}

/**
 * One node process with the parent watch preloaded (Next too: `node <next's
 * bin script>`, as `next start` serves in that same process). TypeScript
 * entry points run as `node --import tsx`, not through the tsx CLI, which
 * forks a second process: a signal sent to the PID reaches the one doing the work.
 */
function node(args: string[]): Pick<ProcessSpec, 'command' | 'args'> {
  return { command: process.execPath, args: ['--import', exitWithParent, ...args] };
}
