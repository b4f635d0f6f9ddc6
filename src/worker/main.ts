// `npm run worker`: one worker process configured by the environment.
import { runWorkerProcess } from './run-worker';
import { isJobsError } from '../core/errors';
import { closeEngine } from '../db/client';
import { setupProcessLog } from '../lib/log/process-log';

setupProcessLog('worker');

try {
  await runWorkerProcess();
  await closeEngine();
  process.exit(0);
} catch (error) {
  console.error(isJobsError(error) ? error.message : error);
  process.exit(1);
}
