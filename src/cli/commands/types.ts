import { getConfig } from '../../config/env';
import { registry } from '../../jobs';
import { describeJobTypes } from '../../lib/jobs/job-types';
import { parseCommand } from '../args';
import { renderTypes } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.types;

export const typesCommand: Command = {
  async run(argv, io) {
    const { values } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const rows = describeJobTypes(registry, getConfig());
    io.out(values.json ? JSON.stringify(rows, null, 2) : renderTypes(rows));
    return 0;
  },
};
