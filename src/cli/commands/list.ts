import { getConfig } from '../../config/env';
import { defaults } from '../../config/defaults';
import { JobsError } from '../../core/errors';
import { isJobState, jobStates } from '../../core/states';
import { getEngine } from '../../db/client';
import { listJobs } from '../../store/queries';
import { readJobsJson } from '../../lib/jobs/json';
import { paramFilters, splitParamPairs } from '../../lib/jobs/param-filter';
import { intOption, parseCommand } from '../args';
import { renderJobTable } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.list;

export const listCommand: Command = {
  async run(argv, io) {
    const { values } = parseCommand(argv, {
      status: { type: 'string' }, name: { type: 'string' }, queue: { type: 'string' },
      param: { type: 'string', multiple: true }, limit: { type: 'string' }, json: { type: 'boolean' },
    }, usage);
    if (values.status !== undefined && !isJobState(values.status)) {
      throw new JobsError('usage', `Unknown status "${values.status}": use ${jobStates.join(', ')}`);
    }
    const config = getConfig();
    const params = values.param?.length ? paramFilters(splitParamPairs(values.param), config.redactKeys) : undefined;
    const engine = await getEngine();
    const jobs = await listJobs(engine, {
      state: values.status as never,
      name: values.name,
      queue: values.queue,
      params,
      limit: intOption(values.limit, 'limit', defaults.listLimit),
    });
    io.out(values.json ? JSON.stringify(await readJobsJson(engine, jobs), null, 2) : renderJobTable(jobs));
    return 0;
  },
};
