import { JobsError } from '../../core/errors';
import { getEngine } from '../../db/client';
import { assertRetryable, retryJobsAs } from '../../lib/jobs/job-actions';
import { listJobs, resolveJobId } from '../../store/queries';
import { intOption, parseCommand } from '../args';
import { renderJobTable, success } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.retry;

export const retryCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, {
      failed: { type: 'boolean' }, name: { type: 'string' }, queue: { type: 'string' }, limit: { type: 'string' },
      show: { type: 'boolean' }, json: { type: 'boolean' },
    }, usage);
    const engine = await getEngine();
    if (Boolean(values.failed) === positionals.length > 0 || positionals.length > 1) {
      throw new JobsError('usage', `Give one job id, or --failed.\nUsage: ${usage}`);
    }
    let ids: string[];
    if (values.failed) {
      const jobs = await listJobs(engine, { state: 'failed', name: values.name, queue: values.queue, limit: intOption(values.limit, 'limit', 10) });
      if (values.show) {
        io.out(values.json ? JSON.stringify(jobs.map((j) => j.id)) : renderJobTable(jobs));
        return 0;
      }
      ids = jobs.map((j) => j.id);
    } else {
      ids = [await resolveJobId(engine, positionals[0])];
      await assertRetryable(engine, ids[0]);
    }
    const retried = await retryJobsAs(engine, ids, 'cli');
    const skipped = ids.filter((id) => !retried.includes(id));
    if (values.json) io.out(JSON.stringify({ retried, skipped }));
    else {
      io.out(retried.length ? `${success('retrying')} ${retried.length} job(s):\n  ${retried.join('\n  ')}` : 'No job to retry.');
      if (skipped.length) io.out(`Left as they are (a live job holds their idempotency key, or they changed meanwhile):\n  ${skipped.join('\n  ')}`);
    }
    return skipped.length && !values.failed ? 1 : 0;
  },
};
