import { JobsError } from '../../core/errors';
import { formatRateLimit } from '../../core/rate';
import { getEngine } from '../../db/client';
import { ringDoorbell } from '../../db/doorbell';
import { listQueues, pauseQueue, resumeQueue } from '../../store/queues';
import { clearQueueRateLimit, setQueueRateLimit } from '../../lib/jobs/queue-limits';
import { onePositional, parseCommand } from '../args';
import { renderQueues, success } from '../format';
import type { CliIo, Command } from '../io';

const usage = `bin/jobs queues [--json]
       bin/jobs queues pause <queue> | bin/jobs queues resume <queue>
       bin/jobs queues limit <queue> --rate <max>/<duration> (e.g. 100/1m) | bin/jobs queues limit <queue> --clear`;

export const queuesCommand: Command = {
  summary: 'queues with live jobs; pause or resume one, or limit its rate (persisted, honoured by every worker)',
  usage,
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
      const parked = await pauseQueue(engine, queue, Date.now());
      io.out(`${success('paused')} queue ${queue}: ${parked} waiting job(s) held; running ones finish`);
    } else {
      const resumed = await resumeQueue(engine, queue);
      if (engine.kind === 'file') ringDoorbell(engine.location, 'ready');
      io.out(`${success('resumed')} queue ${queue}: ${resumed} job(s) back in line`);
    }
    return 0;
  },
};

async function limit(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { rate: { type: 'string' }, clear: { type: 'boolean' } }, usage);
  const queue = onePositional(positionals, 'queue name', usage);
  if (values.clear === (values.rate !== undefined)) throw new JobsError('usage', `Give either --rate <max>/<duration> or --clear.\nUsage: ${usage}`);
  if (values.clear) {
    const cleared = await clearQueueRateLimit(queue);
    io.out(cleared ? `${success('cleared')} the rate limit of queue ${queue}` : `Queue ${queue} had no rate limit`);
    return 0;
  }
  const rate = await setQueueRateLimit(queue, values.rate!);
  const [max, window] = formatRateLimit(rate).split('/');
  io.out(`${success('limited')} queue ${queue} to ${max}/${window}: at most ${max} job start(s) in any ${window}, across all workers`);
  return 0;
}
