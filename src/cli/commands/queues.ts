import { JobsError } from '../../core/errors';
import { getEngine } from '../../db/client';
import { ringDoorbell } from '../../db/doorbell';
import { listQueues, pauseQueue, resumeQueue } from '../../store/queues';
import { onePositional, parseCommand } from '../args';
import { renderQueues, success } from '../format';
import type { Command } from '../io';

const usage = 'bin/jobs queues [--json] | bin/jobs queues pause <queue> | bin/jobs queues resume <queue>';

export const queuesCommand: Command = {
  summary: 'queues with live jobs; pause one (no worker takes its jobs, persisted) or resume it',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const engine = await getEngine();
    if (sub === undefined || sub.startsWith('-')) {
      const { values } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
      const rows = await listQueues(engine);
      io.out(values.json ? JSON.stringify(rows, null, 2) : renderQueues(rows));
      return 0;
    }
    if (sub !== 'pause' && sub !== 'resume') throw new JobsError('usage', `Unknown queues command "${sub}".\nUsage: ${usage}`);
    const { positionals } = parseCommand(rest, {}, usage);
    const queue = onePositional(positionals, 'queue name', usage);
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
