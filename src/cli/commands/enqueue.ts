import { getConfig } from '../../config/env';
import { getEngine } from '../../db/client';
import { JobsError } from '../../core/errors';
import { parsePriority } from '../../core/priority';
import { buildNewJob } from '../../lib/jobs/job-spec';
import { storeNewJobs } from '../../lib/jobs/enqueue';
import { registry } from '../../jobs';
import { getJob } from '../../store/queries';
import { readJobsJson } from '../../lib/jobs/json';
import { shortJobId } from '../../core/ids';
import { intOption, onePositional, parseCommand } from '../args';
import { paramsFromArgs } from '../params';
import { success } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.enqueue;

export const enqueueCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, {
      param: { type: 'string', multiple: true }, params: { type: 'string' }, queue: { type: 'string' },
      priority: { type: 'string' }, delay: { type: 'string' }, at: { type: 'string' },
      'max-attempts': { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' },
      'concurrency-key': { type: 'string' }, 'concurrency-limit': { type: 'string' },
    }, usage);
    if (values['concurrency-limit'] !== undefined && values['concurrency-key'] === undefined) {
      throw new JobsError('usage', `--concurrency-limit needs --concurrency-key: the limit counts the running jobs that share a key`);
    }
    const jobClass = registry.resolve(onePositional(positionals, 'job name', usage));
    const params = paramsFromArgs(values.param, values.params);
    const now = Date.now();
    const row = buildNewJob(jobClass, params, {
      queue: values.queue,
      priority: values.priority === undefined ? undefined : parsePriority(values.priority),
      delay: values.delay,
      runAt: values.at,
      maxAttempts: values['max-attempts'] === undefined ? undefined : intOption(values['max-attempts'], 'max-attempts', 1),
      idempotencyKey: values.key,
      concurrencyKey: values['concurrency-key'],
      concurrencyLimit: values['concurrency-limit'] === undefined ? undefined : intOption(values['concurrency-limit'], 'concurrency-limit', 1),
    }, getConfig(), now);
    const engine = await getEngine();
    const [id] = await storeNewJobs(engine, [row], now);
    const existing = `${row.name} with key "${values.key}" is already pending or running: ${id} (${shortJobId(id)})`;
    if (values.json) {
      const stored = await getJob(engine, id);
      if (!stored) throw new JobsError('not_found', `Job ${id} was stored, then deleted before it could be shown`);
      io.out(JSON.stringify((await readJobsJson(engine, [stored]))[0], null, 2));
      // The JSON is the one job shape; whether it was there already goes where people look.
      if (id !== row.id) io.err(existing);
    } else {
      io.out(id === row.id ? `${success('enqueued')} ${row.name} ${id} (${shortJobId(id)})` : existing);
    }
    return 0;
  },
};
