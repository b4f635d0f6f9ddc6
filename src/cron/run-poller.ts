import { getConfig } from '../config/env';
import { getEngine } from '../db/client';
import { registry } from '../jobs';
import { CronPoller } from './poller';

const stamp = () => new Date().toISOString().slice(11, 23);

/** A poller process's life: sync code schedules, poll until SIGINT/SIGTERM, then stop. */
export async function runPollerProcess(): Promise<void> {
  const poller = new CronPoller({
    engine: await getEngine(),
    config: getConfig(),
    registry,
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
}
