// `npm run cron`: one cron poller process configured by the environment.
import { runPollerProcess } from './run-poller';
import { isJobsError } from '../core/errors';
import { closeEngine } from '../db/client';
import { setupProcessLog } from '../lib/log/process-log';

setupProcessLog('cron');

try {
  await runPollerProcess();
  await closeEngine();
  process.exit(0);
} catch (error) {
  console.error(isJobsError(error) ? error.message : error);
  process.exit(1);
}
