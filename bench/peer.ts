// Fluent Jobs as one more peer of the shared benchmark harness
// (../shared/bench/peers, "Adding our own system" in its README). Run by
// `npm run bench`, or by hand from the project root:
//   node ../shared/bench/peers/run.mjs --peer none --extra "fluentjobs=node_modules/.bin/tsx bench/peer.ts"
// Everything goes through the public code paths an app uses: Job.later /
// laterMany to enqueue, a Worker to run, jobEvents 'job.completed' (emitted
// after the completion is committed) to count.
// With `--prefill <file> --peer-name <name>` (the scale rows, bench/scale/full-table.ts)
// every step but the warm-up starts from a copy of that file instead of an
// empty database, and the rows are reported under <name>.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { getConfig, resetConfig } from '../src/config/env';
import { closeEngine, getEngine } from '../src/db/client';
import { doorbellDirs } from '../src/db/doorbell';
import { JobRegistry, jobEvents } from '../src/lib/jobs';
import { countByState } from '../src/store/queries';
import { createWorkerLog } from '../src/worker/log';
import { Worker } from '../src/worker/worker';
import { startChildWorker } from './child-worker';
import { loadPeerMain, projectRoot, type PeerAdapter } from './harness';
import { BenchNoopJob, handlerHook } from './noop-job';

interface Variant {
  /** Where the worker runs: in this process (the harness's default) or in a child process, as deployed. */
  worker: 'in-process' | 'child-process';
}

const require = createRequire(import.meta.url);
/** `--name value` of this script's own flags (the harness appends its workload flags after them). */
const flag = (name: string): string | undefined => {
  const k = process.argv.indexOf(`--${name}`);
  return k === -1 ? undefined : process.argv[k + 1];
};
const prefill = flag('prefill');
const noHandler = () => {};
const registry = new JobRegistry([BenchNoopJob]);

function versionText(): string {
  const ours = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version as string;
  const driver = (require('better-sqlite3/package.json') as { version: string }).version;
  // A throw-away in-memory connection: never a second connection to the benchmark's files.
  const memory = new Database(':memory:');
  const sqlite = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  memory.close();
  return `fluent-jobs ${ours}, better-sqlite3 ${driver}, sqlite ${sqlite}`;
}

async function createAdapter(): Promise<PeerAdapter<Variant>> {
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!dataDir) {
    process.stderr.write('BENCH_DATA_DIR is not set: run this through the harness (npm run bench).\n');
    process.exit(2);
  }
  let file: string | null = null;

  /** Closes the process's engine and removes the step's database and its (empty) doorbell folder. */
  const dropDatabase = async () => {
    await closeEngine();
    if (!file) return;
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    for (const dir of doorbellDirs(file)) {
      try {
        fs.rmdirSync(dir); // only if no worker socket is left in it
      } catch {}
    }
    file = null;
  };

  return {
    peer: flag('peer-name') ?? 'fluentjobs',
    version: versionText(),
    settings:
      'better-sqlite3 file, WAL, synchronous=NORMAL (same durability as plainjob), busy_timeout 5000 ms; ' +
      'workers woken by the unix-socket doorbell, poll fallback 1000 ms; lease 30 s; completed rows and one ' +
      'job_attempts row per job are kept; C = Worker concurrency in one process' +
      (prefill ? `; every step but the warm-up starts from a copy of ${prefill}` : ''),

    latencyVariants: [
      { param: '', opts: { worker: 'in-process' } },
      { param: 'worker=child-process', opts: { worker: 'child-process' } },
    ],

    async prepare(step) {
      await dropDatabase();
      file = path.join(dataDir, `fluentjobs-${step}.db`);
      if (prefill && step !== 'warmup') fs.copyFileSync(path.resolve(projectRoot, prefill), file);
      process.env.DATABASE_URL = `file:${file}`;
      resetConfig();
      await getEngine(); // open and migrate now, outside any timed part
    },

    async enqueue(payload) {
      await BenchNoopJob.later(payload);
    },

    async enqueueBulk(payloads) {
      await BenchNoopJob.laterMany(payloads);
    },

    async startWorker({ concurrency, onHandler, onCompleted, variant }) {
      if (variant?.worker === 'child-process') {
        const child = await startChildWorker({ databaseUrl: getConfig().databaseUrl, concurrency, onHandler, onCompleted });
        return { stop: () => child.stop() };
      }
      handlerHook.onHandler = onHandler;
      const offCompleted = jobEvents.on('job.completed', () => onCompleted());
      // Problems only, and to stderr: stdout carries the harness's JSON lines.
      const log = createWorkerLog((line) => process.stderr.write(`[fluentjobs] ${line}\n`), { quiet: true });
      const worker = new Worker({ engine: await getEngine(), config: getConfig(), registry, queues: [], concurrency, log });
      await worker.start();
      return {
        async stop() {
          await worker.stop();
          offCompleted();
          log.detach();
          handlerHook.onHandler = noHandler;
        },
      };
    },

    /** Completions are counted after commit, so this only confirms nothing is left pending or running. */
    async waitDrained() {
      for (;;) {
        const counts = await countByState(await getEngine());
        if (counts.pending + counts.running === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },

    async close() {
      await dropDatabase();
    },
  };
}

const peerMain = await loadPeerMain();
await peerMain(createAdapter);
