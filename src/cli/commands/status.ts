import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal } from '../../core/states';
import { getEngine } from '../../db/client';
import { getJobDetail, resolveJobId } from '../../store/queries';
import { onePositional, parseCommand } from '../args';
import { progressBar, renderJobDetail, stateLabel } from '../format';
import type { Command } from '../io';
import { toJson } from './list';

const usage = 'bin/jobs status <id-or-prefix> [--json] [--watch]';
const watchIntervalMs = 250;

export const statusCommand: Command = {
  summary: 'a job in full: params, result, error, attempts with logs, progress history, lock',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' }, watch: { type: 'boolean' } }, usage);
    const engine = await getEngine();
    const id = await resolveJobId(engine, onePositional(positionals, 'job id or prefix', usage));
    let job = await getJobDetail(engine, id);
    if (values.watch) {
      let last = '';
      while (!isTerminal(job.state)) {
        const line = `${stateLabel(job)} ${job.name} ${job.id.slice(0, 13)} ${progressBar(job.progress)} ${job.progressMessage ?? ''}`;
        if (line !== last || io.isTTY) io.status(line);
        last = line;
        await sleep(watchIntervalMs);
        job = await getJobDetail(engine, id);
      }
      if (io.isTTY) io.status('');
    }
    io.out(values.json ? JSON.stringify({ ...toJson(job), attemptHistory: job.attemptHistory.map((a) => ({ ...a, logs: a.logs ? JSON.parse(a.logs) : [] })) }, null, 2) : renderJobDetail(job));
    return values.watch && job.state !== 'completed' ? 1 : 0;
  },
};
