// A worker in its own process, as deployed, for the adapter's child-process
// row of workload C. Started by bench/child-worker.ts with an IPC channel and
// the parent's DATABASE_URL; runs one Worker and reports each handler start
// as { i, t } with t on the shared clock (performance.timeOrigin + now()).
// SIGTERM, or the parent going away, stops the worker and exits.
import { parseArgs } from 'node:util';
import { getConfig } from '../src/config/env';
import { closeEngine, getEngine } from '../src/db/client';
import { JobRegistry, jobEvents } from '../src/lib/jobs';
import { createWorkerLog } from '../src/worker/log';
import { Worker } from '../src/worker/worker';
import type { ChildMessage } from './child-worker';
import { BenchNoopJob, handlerHook } from './noop-job';

const send = (message: ChildMessage) => {
  if (process.connected) process.send!(message);
};

if (!process.send) {
  console.error('bench/latency-child.ts is started by bench/peer.ts (it needs an IPC channel)');
  process.exit(2);
}
const { values } = parseArgs({ options: { concurrency: { type: 'string', default: '1' } } });

handlerHook.onHandler = (t, payload) => send({ type: 'handler', i: payload.i, t: performance.timeOrigin + t });
const offCompleted = jobEvents.on('job.completed', () => send({ type: 'completed' }));
const log = createWorkerLog((line) => process.stderr.write(`[latency-child] ${line}\n`), { quiet: true });
const worker = new Worker({
  engine: await getEngine(),
  config: getConfig(),
  registry: new JobRegistry([BenchNoopJob]),
  queues: [],
  concurrency: Number(values.concurrency),
  log,
});

let stopping: Promise<void> | undefined;
const shutDown = () =>
  (stopping ??= (async () => {
    await worker.stop();
    offCompleted();
    log.detach();
    await closeEngine();
    if (process.connected) process.disconnect();
    process.exit(0);
  })());
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
process.on('disconnect', shutDown); // the parent died or let go

await worker.start();
send({ type: 'ready', pid: process.pid });
