import { runPollerProcess } from '../../cron/run-poller';
import { parseCommand } from '../args';
import type { Command } from '../io';

const usage = 'bin/jobs cron';

export const cronCommand: Command = {
  summary: 'run a cron poller in this terminal (several at once are safe)',
  usage,
  async run(argv) {
    parseCommand(argv, {}, usage);
    await runPollerProcess();
    return 0;
  },
};
