import { getEngine } from '../../db/client';
import { cancelJobAs } from '../../lib/jobs/job-actions';
import { resolveJobId } from '../../store/queries';
import { onePositional, parseCommand } from '../args';
import { success } from '../format';
import type { Command } from '../io';
import { commandList } from '../command-list';

const { usage } = commandList.cancel;

export const cancelCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const engine = await getEngine();
    const id = await resolveJobId(engine, onePositional(positionals, 'job id or prefix', usage));
    const result = await cancelJobAs(engine, id, 'cli');
    io.out(values.json ? JSON.stringify({ id, result }) : result === 'cancelled' ? `${success('cancelled')} ${id}` : `${success('cancelling')} ${id}: its worker stops it now`);
    return 0;
  },
};
