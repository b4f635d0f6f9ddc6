import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { forEachLine } from './lines';

/** What a production build is made from: when any of these is newer than .next/BUILD_ID, the build is stale. */
export const buildInputs = ['src', 'public', 'next.config.ts', 'package.json', 'tsconfig.json'];

/**
 * Why `next build` must run before `next start`, or null when .next/BUILD_ID
 * is newer than every build input. Used by `npm start` and the e2e tests.
 * @example buildNeededBecause('/app') // 'src/app/page.tsx changed since the last build'
 */
export function buildNeededBecause(root: string): string | null {
  let builtAtMs: number;
  try {
    builtAtMs = fs.statSync(path.join(root, '.next', 'BUILD_ID')).mtimeMs;
  } catch {
    return 'there is no build yet (.next/BUILD_ID is missing)';
  }
  for (const input of buildInputs) {
    const changed = findNewerFile(path.join(root, input), builtAtMs);
    if (changed) return `${path.relative(root, changed)} changed since the last build`;
  }
  return null;
}

function findNewerFile(file: string, sinceMs: number): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return null; // an optional input, such as public/, that does not exist
  }
  if (!stat.isDirectory()) return stat.mtimeMs > sinceMs ? file : null;
  for (const entry of fs.readdirSync(file)) {
    const found = findNewerFile(path.join(file, entry), sinceMs);
    if (found) return found;
  }
  return null;
}

/**
 * The environment for a `next` command: telemetry off (it tries DNS look-ups
 * that fail here), and no inherited NODE_ENV (a test runner's `test` would make
 * Next warn and build a non-standard bundle; Next sets its own).
 */
export function nextEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env, NEXT_TELEMETRY_DISABLED: '1' };
  delete (result as Record<string, string | undefined>).NODE_ENV; // Next's types say it is always there
  return result;
}

export interface BuildOptions {
  /** Each line `next build` prints; by default they are kept and shown only if the build fails. */
  onLine?: (line: string) => void;
  /** Aborting stops the build (SIGTERM) and rejects. */
  signal?: AbortSignal;
}

/** Runs `next build` in `root` to the end; rejects with its output if it fails. */
export async function runNextBuild(root: string, options: BuildOptions = {}): Promise<void> {
  const child = spawn(path.join(root, 'node_modules/.bin/next'), ['build'], {
    cwd: root,
    env: nextEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
  });
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    options.onLine?.(line);
  };
  forEachLine(child.stdout, onLine);
  forEachLine(child.stderr, onLine);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : null)));
  });
  if (code !== 0) {
    const shown = options.onLine ? '' : `:\n${lines.join('\n')}`;
    throw new Error(`next build failed with exit code ${code}${shown}`);
  }
}
