import { root } from '../helpers/processes';
import { buildNeededBecause, runNextBuild } from '@/start/next-build';
import { freePort, startNextServer, type BenchServer } from '../../bench/next-server';

/** Runs `next build` when .next/BUILD_ID is missing or older than a build input (the same rule as `npm start`). */
export async function ensureBuilt(): Promise<void> {
  if (buildNeededBecause(root)) await runNextBuild(root);
}

/**
 * A real `next start` on 127.0.0.1 and a free port, resolved once it answers
 * HTTP (bench/next-server.ts, shared with the benches). Started directly, not
 * through npx, so its PID is the server's. Not tracked by the per-test leak
 * check: it serves a whole file, so its afterAll must stop() it.
 */
export type NextServer = BenchServer;
export { freePort, startNextServer };
