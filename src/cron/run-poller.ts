import { getConfig } from '../config/env';
import { getEngine } from '../db/client';
import { registry } from '../jobs';
import { SharedClock } from '../lib/jobs/shared-clock';
import { CronPoller } from './poller';

const stamp = () => new Date().toISOString().slice(11, 23);

/** A poller process's life: sync code schedules, poll until SIGINT/SIGTERM, then stop. */
export async function runPollerProcess(): Promise<void> {
  const engine = await getEngine();
  // Fire times are read on the database's clock, like the workers' run times.
  const clock = new SharedClock(engine);
  const stopSyncing = await clock.keepSynced(60_000);
  const poller = new CronPoller({
    engine,
    config: getConfig(),
    registry,
    now: () => clock.now(),
    log: { info: (line) => console.log(`${stamp()} ${line}`), error: (line) => console.error(`${stamp()} error: ${line}`) },
  });
  await poller.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      console.log(`${signal}: stopping the cron poller`);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await poller.stop();
  stopSyncing();
}
