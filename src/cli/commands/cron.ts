import { runPollerProcess } from '../../cron/run-poller';
import { parseCommand } from '../args';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.cron;

export const cronCommand: Command = {
  async run(argv) {
    parseCommand(argv, {}, usage);
    await runPollerProcess();
    return 0;
  },
};
