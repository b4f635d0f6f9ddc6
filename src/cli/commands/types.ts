import { getConfig } from '../../config/env';
import { parseDuration } from '../../core/duration';
import { parsePriority } from '../../core/priority';
import { registry } from '../../jobs';
import { parseCommand } from '../args';
import { renderTypes } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.types;

export const typesCommand: Command = {
  async run(argv, io) {
    const { values } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const config = getConfig();
    const rows = registry.list().map(({ name, jobClass }) => ({
      name,
      className: jobClass.name,
      queue: jobClass.options?.queue ?? 'default',
      priority: parsePriority(jobClass.options?.priority, 0),
      maxAttempts: jobClass.options?.maxAttempts ?? config.maxAttempts,
      timeoutMs: parseDuration(jobClass.options?.timeout ?? config.timeoutMs),
      schedule: jobClass.schedule ? `${jobClass.schedule.cron} (${jobClass.schedule.tz ?? 'UTC'})` : null,
    }));
    io.out(values.json ? JSON.stringify(rows, null, 2) : renderTypes(rows));
    return 0;
  },
};
