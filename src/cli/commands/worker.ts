import { splitList } from '../../config/env';
import { runWorkerProcess } from '../../worker/run-worker';
import { intOption, parseCommand } from '../args';
import type { Command } from '../io';

const usage = 'bin/jobs worker [--queue a,b] [--concurrency N] [--drain]';

export const workerCommand: Command = {
  summary: 'run a worker in this terminal (Ctrl-C finishes running jobs, then stops)',
  usage,
  async run(argv) {
    const { values } = parseCommand(argv, { queue: { type: 'string' }, concurrency: { type: 'string' }, drain: { type: 'boolean' } }, usage);
    await runWorkerProcess({
      queues: values.queue === undefined ? undefined : splitList(values.queue),
      concurrency: values.concurrency === undefined ? undefined : intOption(values.concurrency, 'concurrency', 1),
      drain: values.drain,
    });
    return 0;
  },
};
