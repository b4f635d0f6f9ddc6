import { getConfig } from '../../config/env';
import { openEngine } from '../../db/client';
import { migrate } from '../../db/migrate';
import { parseCommand } from '../args';
import { success } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.migrate;

export const migrateCommand: Command = {
  async run(argv, io) {
    parseCommand(argv, {}, usage);
    const config = getConfig();
    const engine = await openEngine(config.databaseUrl, config.databaseAuthToken, config.busyTimeoutMs);
    try {
      const applied = await migrate(engine);
      io.out(applied.length ? `${success('applied')} ${applied.join(', ')} to ${engine.location}` : `${engine.location} is up to date`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
