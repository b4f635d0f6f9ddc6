import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Types for the peer benchmark harness (plain .mjs, no declarations), and
 * where it lives. The shape follows "Adding our own system" in the harness
 * README; only the parts we use are typed.
 */

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The read-only shared harness: `../shared/bench/peers` next to the project, or $PEERS_DIR. */
export function sharedPeersDir(): string {
  return path.resolve(projectRoot, process.env.PEERS_DIR ?? '../shared/bench/peers');
}

/** The runnable copy `npm run bench` keeps in the project (gitignored). */
export const localPeersDir = path.join(projectRoot, '.bench', 'peers');

export interface WorkloadConfig {
  n: number;
  batch: number;
  concurrency: number[];
  latencyJobs: number;
  latencyRate: number;
  warmupJobs: number;
  only: string[] | null;
  run?: number;
}

export type BenchPayload = { i: number };
export type OnHandler = (t: number, payload: BenchPayload) => void;

export interface StartWorkerArgs<V> {
  concurrency: number;
  onHandler: OnHandler;
  onCompleted: () => void;
  variant?: V;
}

export interface PeerAdapter<V = unknown> {
  peer: string;
  version: string;
  settings: string;
  prepare(step: string): Promise<void>;
  enqueue(payload: BenchPayload): Promise<void>;
  enqueueBulk(payloads: BenchPayload[]): Promise<void>;
  startWorker(args: StartWorkerArgs<V>): Promise<{ stop(): Promise<void> }>;
  waitDrained?(): Promise<void>;
  latencyVariants?: { param: string; opts: V }[];
  processVariants?: { concurrency: number; param: string; opts: V }[];
  close(): Promise<void>;
}

/** One JSON line of the harness's output. */
export interface ResultLine {
  peer: string;
  workload: 'A_enqueue' | 'B_process' | 'C_latency';
  param: string;
  jobs: number;
  seconds: number | null;
  jobs_per_sec: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  version: string;
  run?: number;
  error?: string;
}

type PeerMain = <V>(createAdapter: (cfg: WorkloadConfig) => Promise<PeerAdapter<V>>) => Promise<void>;

/**
 * The harness's peerMain. `npm run bench` points BENCH_PEERS_DIR at the copy
 * it runs, so the adapter and the harness use the same code; started by hand
 * (`node ../shared/bench/peers/run.mjs --extra ...`) it is the shared folder.
 */
export async function loadPeerMain(): Promise<PeerMain> {
  const dir = process.env.BENCH_PEERS_DIR ?? sharedPeersDir();
  const mod = (await import(pathToFileURL(path.join(dir, 'lib', 'peer-main.mjs')).href)) as { peerMain: PeerMain };
  return mod.peerMain;
}

/** Summary helpers of the harness (lib/util.mjs). */
export async function loadUtil(dir: string): Promise<{ median(values: (number | null)[]): number | null }> {
  return (await import(pathToFileURL(path.join(dir, 'lib', 'util.mjs')).href)) as { median(values: (number | null)[]): number | null };
}
