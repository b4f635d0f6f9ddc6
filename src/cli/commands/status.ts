import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal } from '../../core/states';
import { shortJobId } from '../../core/ids';
import { getConfig } from '../../config/env';
import { getEngine } from '../../db/client';
import type { Engine } from '../../db/engine';
import { liveWorkersFor } from '../../store/workers';
import { getJobDetail, resolveJobId } from '../../store/queries';
import { jobDetailJson, jobJsonOptions } from '../../lib/jobs/json';
import { onePositional, parseCommand } from '../args';
import { progressBar, renderJobDetail, stateLabel } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.status;
const watchIntervalMs = 250;

export const statusCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' }, watch: { type: 'boolean' } }, usage);
    const engine = await getEngine();
    const id = await resolveJobId(engine, onePositional(positionals, 'job id or prefix', usage));
    let job = await getJobDetail(engine, id);
    if (values.watch) {
      let last = '';
      while (!isTerminal(job.state)) {
        const line = `${stateLabel(job)} ${job.name} ${shortJobId(job.id)} ${progressBar(job.progress)} ${job.progressMessage ?? ''}`;
        if (line !== last || io.isTTY) io.status(line);
        last = line;
        await sleep(watchIntervalMs);
        job = await getJobDetail(engine, id);
      }
      if (io.isTTY) io.status('');
    }
    const shown = jobDetailJson(job, jobJsonOptions());
    if (values.json) {
      io.out(JSON.stringify(shown, null, 2));
    } else {
      io.out(renderJobDetail(shown, { timeoutMs: job.timeoutMs, concurrencyLimit: job.concurrencyLimit }));
      const waiting = job.state === 'pending' ? await whyNoWorker(engine, job) : null;
      if (waiting) io.out(`\nwaiting: ${waiting}`);
    }
    return values.watch && job.state !== 'completed' ? 1 : 0;
  },
};

/** Why a pending job may wait for good: no live worker serves its queue with its job class (a rolling deploy, a new job). */
async function whyNoWorker(engine: Engine, job: { name: string; queue: string }): Promise<string | null> {
  const { alive, serving } = await liveWorkersFor(engine, { name: job.name, queue: job.queue, now: Date.now(), leaseMs: getConfig().leaseMs });
  if (serving > 0) return null;
  const others = alive === 0 ? 'no worker is running' : `${alive} live worker(s) serve other queues or do not have this job in src/jobs/index.ts`;
  return `no live worker can run ${job.name} jobs in queue ${job.queue}: ${others}`;
}
