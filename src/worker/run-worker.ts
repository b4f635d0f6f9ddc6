import { getConfig } from '../config/env';
import { getEngine } from '../db/client';
import { registry } from '../jobs';
import type { JobRegistry } from '../lib/jobs/registry';
import { setupProcessLog } from '../lib/log/process-log';
import { createWorkerLog } from './log';
import { Worker } from './worker';

export interface RunWorkerOptions {
  /** The job classes it runs; default: the app's list in src/jobs/index.ts. */
  registry?: JobRegistry;
  queues?: string[];
  concurrency?: number;
  drain?: boolean;
}

/**
 * A worker process's life: migrate, start, and on SIGINT/SIGTERM stop taking
 * jobs and let running ones finish within JOBS_SHUTDOWN_GRACE_MS (a second
 * signal ends the grace at once). Resolves when the worker has stopped.
 */
export async function runWorkerProcess(options: RunWorkerOptions = {}): Promise<void> {
  setupProcessLog('worker'); // first: with LOG_FORMAT=json, even a bad configuration's message is a JSON line
  const config = getConfig();
  const engine = await getEngine();
  const log = createWorkerLog();
  const worker = new Worker({
    engine,
    config,
    registry: options.registry ?? registry,
    queues: options.queues ?? config.queues,
    concurrency: options.concurrency ?? config.concurrency,
    drain: options.drain,
    log,
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    log.signal(signal, signals === 1 ? `finishing ${worker.activeJobs} running job(s), taking no new ones` : 'stopping now');
    void worker.stop(signals === 1 ? config.shutdownGraceMs : 0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await worker.start();
  await worker.done;
  await worker.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  log.detach();
}
