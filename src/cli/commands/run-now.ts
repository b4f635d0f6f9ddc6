import { registry } from '../../jobs';
import { jobEvents } from '../../lib/jobs/events';
import { JobFailedError } from '../../lib/jobs/job-failed-error';
import { runNow } from '../../lib/jobs/run-now';
import { parseCommand } from '../args';
import { progressBar, renderError, success } from '../format';
import { paramsFromArgs } from '../params';
import type { CliIo } from '../io';
import { runNowUsage } from '../command-list';

/** Runs a job in this process, showing its progress, and prints its result. */
export async function runJobNow(name: string, argv: string[], io: CliIo): Promise<number> {
  const jobClass = registry.resolve(name);
  const { values } = parseCommand(argv, { param: { type: 'string', multiple: true }, params: { type: 'string' }, json: { type: 'boolean' } }, runNowUsage);
  const params = paramsFromArgs(values.param, values.params);
  const off = jobEvents.on('job.progress', (e) => {
    if (!values.json) io.status(`${progressBar(e.percent)} ${e.message ?? ''}`);
  });
  try {
    const { data, metadata } = await runNow(jobClass, params);
    if (io.isTTY && !values.json) io.status('');
    io.out(values.json ? JSON.stringify({ data, metadata }, null, 2) : `${success('completed')} in ${metadata.durationMs} ms\n${JSON.stringify(data, null, 2)}`);
    return 0;
  } catch (error) {
    if (!(error instanceof JobFailedError)) throw error;
    if (io.isTTY && !values.json) io.status('');
    if (values.json) io.out(JSON.stringify({ error: error.message, metadata: error.metadata }, null, 2));
    else io.err(renderError(error.message));
    return 1;
  } finally {
    off();
  }
}
