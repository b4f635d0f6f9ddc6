import { getConfig } from '../config/env';
import { getEngine } from '../db/client';
import { registry } from '../jobs';
import { SharedClock } from '../lib/jobs/shared-clock';
import { setupProcessLog } from '../lib/log/process-log';
import { createPollerLog } from './log';
import { CronPoller } from './poller';

/** A poller process's life: sync code schedules, poll until SIGINT/SIGTERM, then stop. */
export async function runPollerProcess(): Promise<void> {
  setupProcessLog('cron'); // first: with LOG_FORMAT=json, even a bad configuration's message is a JSON line
  const log = createPollerLog();
  const engine = await getEngine();
  // Fire times are read on the database's clock, like the workers' run times.
  const clock = new SharedClock(engine);
  const stopSyncing = await clock.keepSynced(60_000);
  const poller = new CronPoller({
    engine,
    config: getConfig(),
    registry,
    now: () => clock.now(),
    log,
  });
  await poller.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.signal(signal);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await poller.stop();
  stopSyncing();
}
