// A worker process for the scale rows (4 processes on one file, worker memory),
// started by startDrainChild (bench/child-worker.ts) with an IPC channel and the
// parent's DATABASE_URL. It first pushes --warmup no-op jobs through a Worker on
// a file of its own (JIT, statements), then opens the parent's file and says
// `ready`; on `go` it starts one Worker of --concurrency there. Completions go
// to the parent in groups, one message per event-loop turn at most; `stats`
// answers with its counters. SIGTERM, or the parent going away, stops it.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { getConfig, resetConfig } from '../../src/config/env';
import { closeEngine, getEngine } from '../../src/db/client';
import { doorbellDirs } from '../../src/db/doorbell';
import { JobRegistry, jobEvents } from '../../src/lib/jobs';
import { createWorkerLog } from '../../src/worker/log';
import { Worker } from '../../src/worker/worker';
import { BenchNoopJob, handlerHook } from '../noop-job';
import type { DrainChildMessage, DrainParentMessage } from './drain-protocol';
import { instrumentEngine, type EngineCounts } from './instrumented-engine';

if (!process.send) {
  console.error('bench/scale/drain-child.ts is started by bench/scale/main.ts (it needs an IPC channel)');
  process.exit(2);
}
const send = (message: DrainChildMessage) => {
  if (process.connected) process.send!(message);
};
const { values } = parseArgs({
  options: { concurrency: { type: 'string', default: '16' }, warmup: { type: 'string', default: '0' }, 'time-claims': { type: 'boolean', default: false } },
});
const concurrency = Number(values.concurrency);
const registry = new JobRegistry([BenchNoopJob]);
const databaseUrl = process.env.DATABASE_URL!;

let handled = 0;
let completed = 0;
let unreported = 0;
let errorLines = 0;
let settleErrors = 0;
/** Completions are reported once the worker on the parent's file runs, not during the warm-up. */
let reporting = false;
handlerHook.onHandler = () => void handled++;
jobEvents.on('job.completed', () => {
  completed++;
  if (reporting && unreported++ === 0) {
    setImmediate(() => {
      send({ type: 'completed', n: unreported });
      unreported = 0;
    });
  }
});
const log = createWorkerLog((line) => {
  if (line.includes(' error: ')) errorLines++;
  if (line.includes('error: settling job')) settleErrors++;
  process.stderr.write(`[drain-child ${process.pid}] ${line}\n`);
}, { quiet: true });

/** Pushes `jobs` no-op jobs through a Worker on a throw-away file, then closes it. */
async function warmUp(jobs: number): Promise<void> {
  if (jobs <= 0) return;
  const file = `${databaseUrl.replace(/^file:/, '')}.warmup-${process.pid}.db`;
  process.env.DATABASE_URL = `file:${file}`;
  resetConfig();
  const engine = await getEngine();
  const before = completed;
  const worker = new Worker({ engine, config: getConfig(), registry, queues: [], concurrency, log });
  await worker.start();
  await BenchNoopJob.laterMany(Array.from({ length: jobs }, (_, i) => ({ i })));
  while (completed - before < jobs) await new Promise((resolve) => setTimeout(resolve, 5));
  await worker.stop();
  await closeEngine();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  for (const dir of doorbellDirs(file)) {
    try {
      fs.rmdirSync(dir);
    } catch {}
  }
  handled = completed = 0;
}

await warmUp(Number(values.warmup));
process.env.DATABASE_URL = databaseUrl;
resetConfig();
const { engine, counts } = instrumentEngine(await getEngine(), values['time-claims']);
let worker: Worker | null = null;

let stopping: Promise<void> | undefined;
const shutDown = () =>
  (stopping ??= (async () => {
    await worker?.stop();
    log.detach();
    await closeEngine();
    if (process.connected) process.disconnect();
    process.exit(0);
  })());
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
process.on('disconnect', shutDown); // the parent died or let go

const statsOf = (c: EngineCounts) => ({
  handled, completed, errorLines, settleErrors, busyErrors: c.busyErrors, claimMs: c.claimMs,
  cpuUsage: process.cpuUsage(), memory: process.memoryUsage(),
});
process.on('message', async (message: DrainParentMessage) => {
  if (message.type === 'stats') send({ type: 'stats', stats: statsOf(counts) });
  else if (message.type === 'go' && !worker) {
    worker = new Worker({ engine, config: getConfig(), registry, queues: [], concurrency, log });
    reporting = true;
    await worker.start();
    send({ type: 'started' });
  }
});
send({ type: 'ready', pid: process.pid });
