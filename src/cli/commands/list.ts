import { getConfig } from '../../config/env';
import { defaults } from '../../config/defaults';
import { JobsError } from '../../core/errors';
import { isJobState, jobStates } from '../../core/states';
import { getEngine } from '../../db/client';
import { listJobs } from '../../store/queries';
import { readJobsJson } from '../../lib/jobs/json';
import { intOption, parseCommand } from '../args';
import { renderJobTable } from '../format';
import type { Command } from '../io';

const usage = 'bin/jobs list [--status S] [--name N] [--queue Q] [--limit 50] [--json]';

export const listCommand: Command = {
  summary: 'newest jobs first, filtered by state, name or queue',
  usage,
  async run(argv, io) {
    const { values } = parseCommand(argv, {
      status: { type: 'string' }, name: { type: 'string' }, queue: { type: 'string' },
      limit: { type: 'string' }, json: { type: 'boolean' },
    }, usage);
    if (values.status !== undefined && !isJobState(values.status)) {
      throw new JobsError('usage', `Unknown status "${values.status}": use ${jobStates.join(', ')}`);
    }
    getConfig();
    const engine = await getEngine();
    const jobs = await listJobs(engine, {
      state: values.status as never,
      name: values.name,
      queue: values.queue,
      limit: intOption(values.limit, 'limit', defaults.listLimit),
    });
    io.out(values.json ? JSON.stringify(await readJobsJson(engine, jobs), null, 2) : renderJobTable(jobs));
    return 0;
  },
};
