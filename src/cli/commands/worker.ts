import { splitList } from '../../config/env';
import { JobsError } from '../../core/errors';
import { runWorkerProcess } from '../../worker/run-worker';
import { intOption, parseCommand } from '../args';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.worker;

export const workerCommand: Command = {
  async run(argv) {
    const { values } = parseCommand(argv, { queue: { type: 'string' }, concurrency: { type: 'string' }, drain: { type: 'boolean' } }, usage);
    const queues = values.queue === undefined ? undefined : splitList(values.queue);
    // An empty list would mean every queue to the worker: not what someone who typed --queue asked for.
    if (queues?.length === 0) throw new JobsError('usage', `--queue needs at least one queue name, got "${values.queue}"; leave it out for every queue`);
    await runWorkerProcess({
      queues,
      concurrency: values.concurrency === undefined ? undefined : intOption(values.concurrency, 'concurrency', 1),
      drain: values.drain,
    });
    return 0;
  },
};
