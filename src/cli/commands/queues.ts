import { JobsError } from '../../core/errors';
import { formatRateLimit } from '../../core/rate';
import { getEngine } from '../../db/client';
import type { Engine } from '../../db/engine';
import { registry } from '../../jobs';
import { clearQueueRateLimitAs, pauseQueueAs, resumeQueueAs, setQueueRateLimitAs } from '../../lib/jobs/queue-actions';
import { listQueues, workerQueues } from '../../store/queues';
import { onePositional, parseCommand } from '../args';
import { renderQueues, success, warning } from '../format';
import type { CliIo, Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.queues;

export const queuesCommand: Command = {
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub.startsWith('-')) {
      const { values } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
      const rows = await listQueues(await getEngine());
      io.out(values.json ? JSON.stringify(rows, null, 2) : renderQueues(rows));
      return 0;
    }
    if (sub === 'limit') return limit(rest, io);
    if (sub !== 'pause' && sub !== 'resume') throw new JobsError('usage', `Unknown queues command "${sub}".\nUsage: ${usage}`);
    const { positionals } = parseCommand(rest, {}, usage);
    const queue = onePositional(positionals, 'queue name', usage);
    const engine = await getEngine();
    if (sub === 'pause') {
      const inUse = await queuesInUse(engine);
      const parked = await pauseQueueAs(engine, queue, 'cli');
      io.out(`${success('paused')} queue ${queue}: ${parked} waiting job(s) held; running ones finish`);
      // Pausing ahead of time is fine, but a queue nothing uses is more often a typo.
      if (!inUse.includes(queue)) io.err(warning(`no job or worker uses queue "${queue}" (known queues: ${inUse.join(', ') || 'none'}); paused anyway`));
    } else {
      const resumed = await resumeQueueAs(engine, queue, 'cli');
      io.out(`${success('resumed')} queue ${queue}: ${resumed} job(s) back in line`);
    }
    return 0;
  },
};

/** Queues named by a registered job class, a live job or a running worker, sorted. */
async function queuesInUse(engine: Engine): Promise<string[]> {
  const fromJobs = (await listQueues(engine)).filter((q) => q.pending + q.running > 0).map((q) => q.queue);
  const fromClasses = registry.list().map((j) => j.jobClass.options?.queue ?? 'default');
  return [...new Set([...fromJobs, ...fromClasses, ...(await workerQueues(engine))])].sort();
}

async function limit(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { rate: { type: 'string' }, clear: { type: 'boolean' } }, usage);
  const queue = onePositional(positionals, 'queue name', usage);
  if (Boolean(values.clear) === (values.rate !== undefined)) throw new JobsError('usage', 'Give either --rate <max>/<duration> (e.g. --rate 100/1m) or --clear');
  if (values.clear) {
    const cleared = await clearQueueRateLimitAs(await getEngine(), queue, 'cli');
    io.out(cleared ? `${success('cleared')} the rate limit of queue ${queue}` : `Queue ${queue} had no rate limit`);
    return 0;
  }
  const rate = await setQueueRateLimitAs(await getEngine(), queue, values.rate!, 'cli');
  const [max, window] = formatRateLimit(rate).split('/');
  io.out(`${success('limited')} queue ${queue} to ${max}/${window}: at most ${max} job start(s) in any ${window}, across all workers`);
  return 0;
}
