import { parseDuration } from '../../core/duration';
import { cleanupAs } from '../../lib/jobs/cleanup-actions';
import { parseCommand } from '../args';
import { success } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';
import { getEngine } from '../../db/client';

const { usage } = commandList.cleanup;

export const cleanupCommand: Command = {
  async run(argv, io) {
    const { values } = parseCommand(argv, {
      'completed-older-than': { type: 'string' }, 'failed-older-than': { type: 'string' }, json: { type: 'boolean' },
    }, usage);
    // Checked here so a typo is a usage error, not a failed job.
    for (const value of [values['completed-older-than'], values['failed-older-than']]) if (value !== undefined) parseDuration(value);
    const data = await cleanupAs(await getEngine(), { completedOlderThan: values['completed-older-than'], failedOlderThan: values['failed-older-than'] }, 'cli');
    io.out(values.json ? JSON.stringify(data) : `${success('cleaned up')}: ${data.completedDeleted} completed and ${data.failedDeleted} failed or cancelled jobs deleted, and ${data.statsMinutesDeleted} per-minute stats rows older than 7 days`);
    return 0;
  },
};
